from .base import *  # noqa: F401,F403

SECRET_KEY = "collectstatic"
DATABASES = {}
