from flask import Blueprint

bp = Blueprint("public", __name__)


@bp.get("/healthz")
def healthz():
    return "ok"
