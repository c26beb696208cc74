# The app compares the verification result exactly and looks the subject
# up among its users: a value gunicorn joined from two copies matches
# neither, so it fails closed.

USERS = {"CN=alice": "CN=alice", "/CN=alice": "/CN=alice"}


def client_identity(request):
    """Return the client's identity, or None when the client is anonymous."""
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
        return None
    dn = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
    if dn not in USERS:
        return None
    return USERS[dn]


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
