from urllib.parse import unquote

INFO_HEADER = "X-Forwarded-Tls-Client-Cert-Info"


def parse_cert_info(value):
    """Traefik's passTLSClientCert info header, URL-escaped:
    Subject="CN=hema-07,O=Pathlab";SerialNumber="1234"."""
    fields = {}
    for part in unquote(value).split(";"):
        key, _, raw = part.partition("=")
        fields[key] = raw.strip('"')
    subject = {}
    for rdn in fields.get("Subject", "").split(","):
        k, _, v = rdn.partition("=")
        if k:
            subject[k] = v
    return subject, fields.get("SerialNumber")
