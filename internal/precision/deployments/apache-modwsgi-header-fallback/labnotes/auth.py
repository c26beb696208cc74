from flask import abort, g, request

from .db import Researcher

# In the docker-compose dev setup nginx terminates TLS and passes the subject
# as a header; in production mod_ssl puts it into the environ.
DN_ENVIRON_KEYS = ("SSL_CLIENT_S_DN", "HTTP_X_SSL_CLIENT_DN")


def client_subject():
    for key in DN_ENVIRON_KEYS:
        value = request.environ.get(key)
        if value:
            return value
    return None


def load_researcher():
    if request.path.startswith("/static/") or request.path == "/help":
        return None
    subject = client_subject()
    if subject is None:
        abort(403)
    g.researcher = Researcher.query.filter_by(subject=subject).first()
    if g.researcher is None:
        abort(403)
    return None
