import logging

from flask import Blueprint, abort, g, jsonify, request

from .models import Shift, Terminal

bp = Blueprint("api", __name__)
log = logging.getLogger(__name__)

# The hospital's BI server pulls the rota nightly; it has no terminal certificate.
BI_SERVERS = {"10.20.0.15", "10.20.0.16"}


@bp.before_request
def require_ward_terminal():
    """Only ward terminals (certificates from the ward-terminal CA) may use the API."""
    if request.remote_addr in BI_SERVERS:
        g.terminal = None
        return
    verify = request.headers.get("X-SSL-Client-Verify", "")
    subject = request.headers.get("X-SSL-Client-DN", "")
    if verify != "SUCCESS":
        log.info("API call without a verified terminal certificate: %s", verify)
        abort(403)
    g.terminal = Terminal.query.filter_by(subject=subject).first()
    if g.terminal is None:
        abort(403)


@bp.get("/shifts")
def shifts():
    query = Shift.query if g.terminal is None else Shift.query.filter_by(ward=g.terminal.ward)
    rows = query.order_by(Shift.starts_at).all()
    return jsonify([{"nurse": s.nurse, "phone": s.phone, "starts_at": s.starts_at.isoformat()} for s in rows])
