import sys

sys.path.insert(0, "/srv/labnotes")

from labnotes import create_app  # noqa: E402

application = create_app()
