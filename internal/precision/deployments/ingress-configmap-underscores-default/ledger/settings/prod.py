import os

from .base import *  # noqa: F401,F403

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = ["ledger.partners.example.net"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": os.environ["POSTGRES_HOST"],
        "NAME": "ledger",
        "USER": "ledger",
        "PASSWORD": os.environ.get("POSTGRES_PASSWORD", ""),
    }
}
