# The app takes the subject nginx forwarded whenever there is one: nginx
# sends no header for an empty value, so without a certificate there is
# none, it thinks.


def client_identity(request):
    """Return the client's identity, or None when the client is anonymous."""
    dn = request.META.get("HTTP_X_SSL_CLIENT_DN")
    if dn:
        return dn
    return None


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
