# This app was written for HAProxy's %[ssl_c_verify]: it accepts the client
# when the forwarded verify result is 0 (X509_V_OK), and then takes the
# subject DN HAProxy forwarded.


def client_identity(request):
    """Return the client's identity, or None when the client is anonymous."""
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "0":
        return request.META.get("HTTP_X_SSL_CLIENT_DN", "")
    return None


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
