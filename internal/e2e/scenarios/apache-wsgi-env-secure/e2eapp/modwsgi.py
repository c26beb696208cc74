# The WSGI entry point mod_wsgi loads: the test app, with the secret key
# the harness gives gunicorn in its environment.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SECRET_KEY", "e2e-only-mod-wsgi-5c2e9a1f")

from e2eapp.wsgi import application  # noqa: E402,F401
