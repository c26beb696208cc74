from flask import abort, g, request

from .db import Researcher


def load_researcher():
    """mod_ssl verified the certificate; SSLOptions +StdEnvVars puts the
    result and the subject into the WSGI environ (not into headers)."""
    if request.path.startswith("/static/"):
        return None
    if request.environ.get("SSL_CLIENT_VERIFY") != "SUCCESS":
        abort(403)
    subject = request.environ.get("SSL_CLIENT_S_DN", "")
    g.researcher = Researcher.query.filter_by(subject=subject).first()
    if g.researcher is None:
        abort(403)
    return None
