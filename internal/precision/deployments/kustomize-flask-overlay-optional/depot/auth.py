from functools import wraps

from flask import abort, g, request

# Scanner certificates are issued per depot: CN=<scanner id>,OU=<depot>,O=Example Logistics
SCANNER_OU_PREFIX = "OU="


def scanner_required(view):
    """ingress-nginx passes the verified certificate's subject in ssl-client-subject-dn."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        subject = request.environ.get("HTTP_SSL_CLIENT_SUBJECT_DN")
        if not subject:
            abort(401)
        parts = dict(p.split("=", 1) for p in subject.split(",") if "=" in p)
        g.scanner_id = parts.get("CN")
        g.depot = parts.get("OU")
        if not g.scanner_id or not g.depot:
            abort(403)
        return view(*args, **kwargs)

    return wrapper
