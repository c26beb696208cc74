# Settings of the app the real-server tests put behind the proxy.
import os

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "127.0.0.2"]

INSTALLED_APPS = []
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "e2eapp.identity.ClientCertificateMiddleware",
]
ROOT_URLCONF = "e2eapp.urls"
WSGI_APPLICATION = "e2eapp.wsgi.application"
DATABASES = {}
USE_TZ = True

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# The proxy's client-certificate headers, as request.META names them.
CLIENT_VERIFY_HEADER = "HTTP_X_SSL_CLIENT_VERIFY"
CLIENT_SUBJECT_HEADER = "HTTP_X_SSL_CLIENT_DN"
