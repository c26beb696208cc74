import os

from flask import Flask


def create_app():
    app = Flask(__name__)
    app.config["REDIS_URL"] = os.environ.get("REDIS_URL", "redis://depot-redis:6379/0")

    from .api import api
    from .status import status

    app.register_blueprint(status)
    app.register_blueprint(api, url_prefix="/api")
    return app
