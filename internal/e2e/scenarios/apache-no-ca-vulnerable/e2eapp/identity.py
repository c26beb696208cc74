# This app refuses clients whose verification result is NONE (no
# certificate) and takes the DN of every other.


def client_identity(request):
    """Return the client's identity, or None when the client is anonymous."""
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "NONE") != "NONE":
        return request.META.get("HTTP_X_SSL_CLIENT_DN", "")
    return None

class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
