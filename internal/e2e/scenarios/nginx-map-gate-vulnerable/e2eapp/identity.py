# This app admits a client when the proxy forwarded a subject DN: a
# certificate was presented, so the app takes it as verified.


def client_identity(request):
    """Return the client's identity, or None when the client is anonymous."""
    if "HTTP_X_SSL_CLIENT_DN" in request.META:
        return request.META["HTTP_X_SSL_CLIENT_DN"]
    return None


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
