"""Local development: runserver on a laptop, never deployed."""
from .base import *  # noqa: F401,F403

DEBUG = True

SECRET_KEY = "django-insecure-billing-dev-only"
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

DATABASES["default"]["HOST"] = os.environ.get("POSTGRES_HOST", "localhost")

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
