from flask import Blueprint, current_app, g, jsonify, request
from redis import Redis

from .auth import scanner_required

api = Blueprint("api", __name__)


def _redis():
    return Redis.from_url(current_app.config["REDIS_URL"])


@api.post("/parcels/<barcode>/scan")
@scanner_required
def scan(barcode):
    event = {"barcode": barcode, "scanner": g.scanner_id, "depot": g.depot, "state": request.json.get("state")}
    _redis().xadd(f"scans:{g.depot}", event)
    return jsonify(event), 201


@api.get("/parcels/<barcode>")
@scanner_required
def parcel(barcode):
    rows = _redis().xrange(f"scans:{g.depot}")
    return jsonify([r[1] for r in rows if r[1].get(b"barcode") == barcode.encode()])
