import logging

from flask import Flask, abort, g, jsonify, request

from . import store

app = Flask(__name__)
log = logging.getLogger("fleet")


@app.before_request
def identify_truck():
    # Caddy only lets trucks with a verified fleet certificate connect and
    # passes the certificate subject on.
    subject = request.headers.get("X-SSL-Client-DN")
    if not subject:
        abort(401)
    g.truck = store.truck_by_subject(subject)
    if g.truck is None:
        log.warning("unknown device certificate %s", subject)
        abort(403)


@app.post("/v1/positions")
def positions():
    store.save_positions(g.truck.id, request.get_json(force=True))
    return "", 204


@app.get("/v1/route")
def route():
    return jsonify(store.current_route(g.truck.id))
