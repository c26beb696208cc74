import os

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["ledger-api", "ledger-api.ledger", "ledger-api.ledger.svc.cluster.local"]
INSTALLED_APPS = ["django.contrib.contenttypes", "accounts"]
MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "accounts.middleware.MeshCallerMiddleware",
]
ROOT_URLCONF = "ledger.urls"
WSGI_APPLICATION = "ledger.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "ledger", "HOST": os.environ["PGHOST"]}}
USE_TZ = True
