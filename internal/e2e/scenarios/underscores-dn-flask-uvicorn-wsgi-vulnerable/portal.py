# A Flask app under uvicorn's WSGI adapter that reports, as JSON, what it
# saw and what it decided (the harness reads this). It takes the forwarded
# subject DN as proof of a client certificate.
import json

from flask import Flask, Response, g, request

app = Flask(__name__)
MARKER = "mtlslint-e2e"


@app.before_request
def client_identity():
    g.client_identity = request.headers.get("X-SSL-Client-DN") or None


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
