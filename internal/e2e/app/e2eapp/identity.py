# How the app decides who the client is: it trusts the proxy's verdict on
# the client certificate only when it is exactly SUCCESS, and then takes the
# subject DN the proxy forwarded. A scenario replaces this file to model a
# different app.


def client_identity(request):
    """Return the client's identity, or None when the client is anonymous."""
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS":
        return request.META.get("HTTP_X_SSL_CLIENT_DN", "")
    return None


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
