"""Local development: runserver on a laptop, never deployed."""
from .base import *  # noqa: F401,F403

DEBUG = True

SECRET_KEY = "django-insecure-claims-dev-6f0a2c9e41b7d35"
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

DATABASES["default"]["HOST"] = os.environ.get("POSTGRES_HOST", "localhost")

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# runserver has no proxy in front: let developers fake a broker certificate.
CLIENT_CERT_REQUIRED_PATHS = ()
