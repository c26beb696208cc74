# This app reads the DN mod_ssl exports into the WSGI environ, and falls
# back to a request header of the same meaning.


def client_identity(request):
    """Return the client's identity, or None when the client is anonymous."""
    dn = request.META.get("SSL_CLIENT_S_DN") or request.META.get("HTTP_X_SSL_CLIENT_DN")
    return dn or None

class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
