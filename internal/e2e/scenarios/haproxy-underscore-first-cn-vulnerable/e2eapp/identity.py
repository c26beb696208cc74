# The app compares the verification result exactly, then takes the first
# CN= of the subject as the user name.
import re


def client_identity(request):
    """Return the client's identity, or None when the client is anonymous."""
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
        return None
    m = re.search(r"CN=([^,/]+)", request.META.get("HTTP_X_SSL_CLIENT_DN", ""))
    if m is None:
        return None
    return "CN=" + m.group(1)


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
