"""Print, as JSON, the top-level assignments of Python files as CPython's
ast module sees them: name, line, and the value when ast.literal_eval can
compute it. Used by the differential test of parsers/python.

Top level means the module body and the bodies of if/elif/else, try/except/
else/finally and with statements in it (not loops, functions or classes)."""
import ast
import json
import sys


def enc(v):
    if v is None:
        return {"t": "none"}
    if v is Ellipsis:
        return {"t": "ellipsis"}
    if isinstance(v, bool):
        return {"t": "bool", "v": v}
    if isinstance(v, int):
        return {"t": "int", "v": str(v)}
    if isinstance(v, float):
        return {"t": "float", "v": repr(v)}
    if isinstance(v, complex):
        return {"t": "complex", "v": [repr(v.real), repr(v.imag)]}
    if isinstance(v, str):
        return {"t": "str", "v": v}
    if isinstance(v, bytes):
        return {"t": "bytes", "v": v.hex()}
    if isinstance(v, list):
        return {"t": "list", "v": [enc(x) for x in v]}
    if isinstance(v, tuple):
        return {"t": "tuple", "v": [enc(x) for x in v]}
    if isinstance(v, (set, frozenset)):
        items = [enc(x) for x in v]
        items.sort(key=lambda e: json.dumps(e, sort_keys=True))
        return {"t": "set", "v": items}
    if isinstance(v, dict):
        return {"t": "dict", "v": [[enc(k), enc(x)] for k, x in v.items()]}
    raise TypeError(type(v))


def walk(body, out):
    for s in body:
        if isinstance(s, ast.Assign):
            for t in s.targets:
                target(t, s.value, s.lineno, out, single=True)
        elif isinstance(s, ast.AnnAssign) and s.value is not None:
            target(s.target, s.value, s.lineno, out, single=True)
        elif isinstance(s, ast.If):
            walk(s.body, out)
            walk(s.orelse, out)
        elif isinstance(s, ast.Try) or type(s).__name__ == "TryStar":
            walk(s.body, out)
            for h in s.handlers:
                walk(h.body, out)
            walk(s.orelse, out)
            walk(s.finalbody, out)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            walk(s.body, out)


def target(t, value, line, out, single):
    if isinstance(t, ast.Name):
        rec = {"name": t.id, "line": line}
        if single:
            try:
                rec["value"] = enc(ast.literal_eval(value))
            except Exception:
                pass
        out.append(rec)
    elif isinstance(t, (ast.Tuple, ast.List)):
        for e in t.elts:
            target(e, value, line, out, single=False)


def main():
    result = {}
    for path in sys.argv[1:]:
        try:
            with open(path, "rb") as f:
                tree = ast.parse(f.read(), path)
        except (SyntaxError, ValueError) as e:
            result[path] = {"error": str(e)}
            continue
        out = []
        walk(tree.body, out)
        result[path] = {"assignments": out}
    json.dump(result, sys.stdout)


main()
