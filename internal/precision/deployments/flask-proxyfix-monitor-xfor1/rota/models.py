from .extensions import db


class Terminal(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    ward = db.Column(db.String(40), nullable=False)
    subject = db.Column(db.String(500), unique=True, nullable=False)


class Shift(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    ward = db.Column(db.String(40), nullable=False, index=True)
    nurse = db.Column(db.String(120), nullable=False)
    phone = db.Column(db.String(40))
    starts_at = db.Column(db.DateTime, nullable=False)
