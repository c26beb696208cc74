import os


class ProductionConfig:
    SECRET_KEY = os.environ["ROTA_SECRET_KEY"]
    SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


class DevelopmentConfig(ProductionConfig):
    SECRET_KEY = "dev"
    SQLALCHEMY_DATABASE_URI = "sqlite:///rota-dev.db"
    SESSION_COOKIE_SECURE = False
    DEBUG = True
