# This app admits a client when the forwarded subject DN is neither empty
# nor the placeholder Caddy leaves unreplaced without a certificate.


def client_identity(request):
    """Return the client's identity, or None when the client is anonymous."""
    subject = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
    if subject in ("", "{http.request.tls.client.subject}"):
        return None
    return subject

class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
