"""Local development: runserver on a laptop, never deployed."""
from .base import *  # noqa: F401,F403

DEBUG = True

SECRET_KEY = "dev-only-not-secret-7c1f0b2e9a4d4e58b3f6a2c8d0e1f4a7b9c3d5e6"
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

DATABASES["default"]["HOST"] = os.environ.get("POSTGRES_HOST", "localhost")

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
