"""Local development: runserver on a laptop, never deployed."""
from .base import *  # noqa: F401,F403

DEBUG = True

SECRET_KEY = "django-insecure-p0s@4k!u2b8h^xg3z+e7w1m6c$y9r5t(q"
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

DATABASES["default"]["HOST"] = os.environ.get("POSTGRES_HOST", "localhost")

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
