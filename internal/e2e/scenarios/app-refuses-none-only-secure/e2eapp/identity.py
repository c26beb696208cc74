# The app refuses NONE; behind ssl_verify_client optional with a CA, nginx
# answers 400 to a certificate it cannot verify, so nothing else but
# SUCCESS arrives.
import logging

logger = logging.getLogger(__name__)


def client_identity(request):
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "NONE") == "NONE":
        return None
    return request.META.get("HTTP_X_SSL_CLIENT_DN", "")


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
