import os

SECRET_KEY = os.environ["CLAIMS_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["claims-api.example-insurance.nl"]

INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "claims"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "claims.api.auth.BrokerCertificateMiddleware",
]
ROOT_URLCONF = "claimsite.urls"
WSGI_APPLICATION = "claimsite.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "claims", "HOST": "/run/postgresql"}}
USE_TZ = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
