"""Settings for the demo project: `python manage.py runserver`, nothing else."""
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR.parent / "src"))

SECRET_KEY = "django-insecure-demo-project-key"
DEBUG = True
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "certauth",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "certauth.middleware.ProxyCertificateMiddleware",
]

AUTHENTICATION_BACKENDS = ["certauth.backends.SubjectBackend", "django.contrib.auth.backends.ModelBackend"]

ROOT_URLCONF = "example_project.urls"
WSGI_APPLICATION = "example_project.wsgi.application"

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "demo.sqlite3"}}

USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
