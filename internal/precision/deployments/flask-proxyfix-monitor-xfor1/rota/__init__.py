from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import db


def create_app(config_object="rota.config.ProductionConfig"):
    app = Flask(__name__)
    app.config.from_object(config_object)
    # One nginx in front: trust the last X-Forwarded-For / X-Forwarded-Proto value it adds.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
    db.init_app(app)

    from .api import bp as api_bp
    from .public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp, url_prefix="/api")
    return app
