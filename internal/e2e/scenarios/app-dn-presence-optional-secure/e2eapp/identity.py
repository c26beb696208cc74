# The app admits a client whose DN the proxy forwarded: behind nginx's
# ssl_verify_client optional with a CA that means a verified certificate.
def client_identity(request):
    dn = request.META.get("HTTP_X_SSL_CLIENT_DN")
    if not dn:
        return None
    return dn


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
