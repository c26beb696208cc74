from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Researcher(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    subject = db.Column(db.String(400), unique=True, nullable=False)
    group = db.Column(db.String(80), nullable=False)


class Entry(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    group = db.Column(db.String(80), index=True)
    title = db.Column(db.String(200))
    body = db.Column(db.Text)
