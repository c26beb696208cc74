"""Dumps the newer syntax of Python files as CPython's ast reads it, for
syntax_test.go: assignment expressions, f-strings and match statements,
in the compact form the Go side renders too.

    python3 cpython_syntax.py FILE... > out.json
"""
import ast
import json
import sys


def typ(node):
    if isinstance(node, ast.Await):
        return typ(node.value)  # the Go front end blanks "await"
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        return "Comp"
    if isinstance(node, ast.YieldFrom):
        return "Yield"
    return type(node).__name__


def expr(node):
    if isinstance(node, ast.Constant):
        return repr(node.value)
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return expr(node.value) + "." + node.attr
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return "-" + expr(node.operand)
    if isinstance(node, ast.BinOp):
        op = "+" if isinstance(node.op, ast.Add) else "-"
        return expr(node.left) + op + expr(node.right)
    return typ(node)


def pattern(p):
    if isinstance(p, ast.MatchValue):
        return "V(" + expr(p.value) + ")"
    if isinstance(p, ast.MatchSingleton):
        return "S(" + repr(p.value) + ")"
    if isinstance(p, ast.MatchAs):
        return "A(" + (pattern(p.pattern) if p.pattern else "") + "," + (p.name or "") + ")"
    if isinstance(p, ast.MatchOr):
        return "O(" + ",".join(pattern(x) for x in p.patterns) + ")"
    if isinstance(p, ast.MatchSequence):
        return "Q(" + ",".join(pattern(x) for x in p.patterns) + ")"
    if isinstance(p, ast.MatchStar):
        return "*" + (p.name or "_")
    if isinstance(p, ast.MatchMapping):
        items = [expr(k) + ":" + pattern(v) for k, v in zip(p.keys, p.patterns)]
        if p.rest:
            items.append("**" + p.rest)
        return "M(" + ",".join(items) + ")"
    if isinstance(p, ast.MatchClass):
        return "C(" + expr(p.cls) + ";" + ",".join(pattern(x) for x in p.patterns) + ";" + ",".join(
            k + "=" + pattern(v) for k, v in zip(p.kwd_attrs, p.kwd_patterns)) + ")"
    return "?"


def parts(js):
    out = []
    for v in js.values:
        if isinstance(v, ast.Constant):
            out.append(["c", v.value])
        else:
            out.append(["f", typ(v.value), v.value.lineno, v.value.col_offset, v.conversion,
                        parts(v.format_spec) if v.format_spec else None])
    return out


def main():
    res = {}
    for path in sys.argv[1:]:
        try:
            with open(path, "rb") as f:
                tree = ast.parse(f.read(), path)
        except (SyntaxError, ValueError) as e:
            res[path] = {"error": str(e)}
            continue
        # a format spec is an f-string of its own: it is dumped inside its field
        nested = {id(n.format_spec) for n in ast.walk(tree) if isinstance(n, ast.FormattedValue) and n.format_spec}
        res[path] = {"records": [r for r in dump(tree, nested)]}
    json.dump(res, sys.stdout)


def dump(tree, nested):
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and id(node) in nested:
            continue
        rec = dump_one(node)
        if rec:
            yield rec


def dump_one(node):
    if isinstance(node, ast.NamedExpr):
        return {"k": "named", "line": node.lineno, "col": node.col_offset,
                "target": node.target.id, "value": typ(node.value)}
    if isinstance(node, ast.JoinedStr):
        return {"k": "fstr", "line": node.lineno, "col": node.col_offset, "parts": parts(node)}
    if isinstance(node, ast.Match):
        return {"k": "match", "line": node.lineno, "col": node.col_offset, "subject": typ(node.subject),
                "cases": [[pattern(c.pattern), typ(c.guard) if c.guard else "", len(c.body)] for c in node.cases]}
    return None


if __name__ == "__main__":
    main()
