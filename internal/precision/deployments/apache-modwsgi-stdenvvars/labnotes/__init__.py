from flask import Flask

from .db import db


def create_app():
    app = Flask(__name__)
    app.config.from_prefixed_env("LABNOTES")
    db.init_app(app)

    from . import auth, notebooks

    app.before_request(auth.load_researcher)
    app.register_blueprint(notebooks.bp)
    return app
