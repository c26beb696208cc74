import os

SECRET_KEY = os.environ["LIMS_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["lims.pathlab.example"]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "core"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "site.urls"
WSGI_APPLICATION = "site.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "lims", "HOST": os.environ.get("DB_HOST", "db")}}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_SSL_REDIRECT = True
USE_TZ = True
