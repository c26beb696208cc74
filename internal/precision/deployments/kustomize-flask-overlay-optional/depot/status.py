from flask import Blueprint, render_template_string

status = Blueprint("status", __name__)


@status.get("/healthz")
def healthz():
    return "ok"


@status.get("/status")
def page():
    return render_template_string("<h1>Depot status</h1><p>All systems normal.</p>")
