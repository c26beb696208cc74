"""Local development: runserver on a laptop, never deployed."""
from .base import *  # noqa: F401,F403

DEBUG = True

SECRET_KEY = "django-insecure-3x8m#q!v@n2lq0z^k6w$d1r7f(ue9p+t4y5s"
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

DATABASES["default"]["HOST"] = os.environ.get("POSTGRES_HOST", "localhost")

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
