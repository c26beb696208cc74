"""Envoy's x-forwarded-client-cert: elements separated by ',', key=value pairs by ';'."""


def elements(header):
    out = []
    for element in _split(header, ","):
        pairs = {}
        for pair in _split(element, ";"):
            key, _, value = pair.partition("=")
            pairs[key.strip()] = value.strip().strip('"')
        out.append(pairs)
    return out


def _split(value, sep):
    parts, buf, quoted = [], [], False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        if ch == sep and not quoted:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts
