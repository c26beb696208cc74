from flask import Blueprint, g, jsonify

from .db import Entry

bp = Blueprint("notebooks", __name__)


@bp.get("/entries")
def entries():
    rows = Entry.query.filter_by(group=g.researcher.group).all()
    return jsonify([{"id": e.id, "title": e.title} for e in rows])


@bp.get("/entries/<int:entry_id>")
def entry(entry_id):
    e = Entry.query.filter_by(id=entry_id, group=g.researcher.group).first_or_404()
    return jsonify({"id": e.id, "title": e.title, "body": e.body})
