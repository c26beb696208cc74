# Newer syntax the front end reads; syntax_test.go compares what it reads
# with CPython's ast.
import re

PREFIX = "X_SSL"
HEADER = f"HTTP_{PREFIX}_CLIENT_VERIFY"
RAW = rf"\d{PREFIX}\n"
MIXED = "HTTP_" f"{PREFIX}" '_DN'
NESTED = f"{HEADER!r:>{20}}|{PREFIX=}|{PREFIX = !s}|{PREFIX=:>10}"
BRACES = f"{{literal}} {PREFIX} }}"
CALL = f"{'a' if PREFIX else 'b'} {len(PREFIX):d} {PREFIX[1:3]} {dict(a=1)['a']}"
TRIPLE = f"""line {PREFIX}
next {HEADER.lower()} end"""
ESCAPED = f"tab\t{PREFIX}\n\x41"
EMPTY = f""


def view(request):
    if (verify := request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")) != "SUCCESS":
        return None
    if dn := request.META.get("HTTP_X_SSL_CLIENT_DN"):
        pass
    if not (subject := request.headers.get("X-SSL-Client-DN")):
        return None
    while chunk := read(1024):
        pass
    if n := len(verify) > 3:
        pass
    if m := re.match(r"CN=(\w+)", dn or ""):
        pass
    data = [y := 1, y ** 2]
    call(x := 5, key=(z := 6))
    items = [v for k in range(3) if (v := k * 2)]
    lookup = {"a": (w := "b")}
    if any((hit := h) == "x" for h in data):
        pass
    if (a := 1) and (b := a or 2):
        pass
    if flag := verify if dn else subject:
        pass
    if neg := not verify:
        pass
    return verify, dn, subject, chunk, n, m, data, items, lookup, hit, a, b, flag, neg, w, z


def dispatch(command, point, verify):
    match command.split():
        case [action]:
            pass
        case [action, obj]:
            pass
        case ["go", direction] | ["move", direction]:
            pass
        case ["drop", *objects]:
            pass
        case _:
            pass
    match point:
        case (0, 0):
            pass
        case (0, y):
            pass
        case (x,):
            pass
        case ():
            pass
        case Point(x=0, y=0) | Point(1, 2):
            pass
        case Point(x, y=-1):
            pass
        case {"x": 0, "y": y, **rest}:
            pass
        case {}:
            pass
        case [Point(x=0, y=0), *_] as first:
            pass
        case str() | bytes():
            pass
        case None:
            pass
        case True | False:
            pass
        case -1 | 1.5 | 2+3j | -4-5j:
            pass
        case Color.RED | pkg.mod.Color.GREEN:
            pass
        case x if x > 0 and x < 10:
            pass
        case (1 | 2) as small:
            pass
        case [1, 2, *rest] if rest:
            pass
        case b"raw" | "a" "b":
            pass
    match verify:
        case "SUCCESS":
            return True
        case "NONE" | "":
            return False
        case _ if verify.startswith("FAILED"):
            return False
    match (verify, point):
        case ("SUCCESS", _):
            pass
    match verify, point:
        case "SUCCESS", _:
            pass
    match = {"case": 1}
    case = match["case"]
    match.get("case")
    return case


class Handler:
    def handle(self, request):
        match request.META.get("HTTP_X_SSL_CLIENT_VERIFY", ""):
            case "SUCCESS":
                return self.ok(request)
            case failed if failed.startswith("FAILED:"):
                return self.refuse(f"rejected: {failed!r}")
            case _:
                return self.refuse(f"{request.META.get('HTTP_X_SSL_CLIENT_VERIFY')=}")
