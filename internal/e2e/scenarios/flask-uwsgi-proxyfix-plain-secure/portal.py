# A Flask app under uWSGI that reports, as JSON, what it saw and what it
# decided (the harness reads this). It trusts nginx's verdict on the client
# certificate only when it is exactly SUCCESS.
import json

from flask import Flask, Response, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

app = Flask(__name__)
# One proxy in front: take one value of X-Forwarded-For and -Proto from it.
app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
MARKER = "mtlslint-e2e"


@app.before_request
def client_identity():
    g.client_identity = None
    if request.headers.get("X-SSL-Client-Verify") == "SUCCESS":
        g.client_identity = request.headers.get("X-SSL-Client-DN", "")


@app.route("/", defaults={"path": ""})
@app.route("/<path:path>")
def report(path):
    identity = g.client_identity
    body = {
        "app": MARKER,
        "authenticated": identity is not None,
        "identity": identity,
        "secure": request.is_secure,
        "scheme": request.scheme,
        "remote_addr": request.remote_addr or "",
        "headers": {k: v for k, v in sorted(request.environ.items()) if k.startswith("HTTP_X_")},
    }
    return Response(json.dumps(body), mimetype="application/json")
