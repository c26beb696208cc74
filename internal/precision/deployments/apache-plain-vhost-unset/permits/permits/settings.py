import os

SECRET_KEY = os.environ["PERMITS_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["permits.stadt-example.de", "permits-depot.lan"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "wardens",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "permits.urls"
WSGI_APPLICATION = "permits.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.mysql", "NAME": "permits", "OPTIONS": {"read_default_file": "/etc/permits/my.cnf"}}}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
USE_TZ = True
TIME_ZONE = "Europe/Berlin"
