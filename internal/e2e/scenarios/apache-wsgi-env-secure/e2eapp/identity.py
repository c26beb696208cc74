# This app reads only what mod_ssl exports into the WSGI environ.


def client_identity(request):
    """Return the client's identity, or None when the client is anonymous."""
    if request.META.get("SSL_CLIENT_VERIFY") == "SUCCESS":
        return request.META.get("SSL_CLIENT_S_DN", "")
    return None

class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
