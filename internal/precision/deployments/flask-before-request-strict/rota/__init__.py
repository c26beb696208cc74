from flask import Flask

from .extensions import db


def create_app(config_object="rota.config.ProductionConfig"):
    app = Flask(__name__)
    app.config.from_object(config_object)
    db.init_app(app)

    from .api import bp as api_bp
    from .public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp, url_prefix="/api")
    return app
