# This app takes a forwarded subject DN as proof of a client certificate
# and does not look at the verification result.


def client_identity(request):
    """Return the client's identity, or None when the client is anonymous."""
    return request.META.get("HTTP_X_SSL_CLIENT_DN") or None


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
