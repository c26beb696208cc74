# The app refuses a client only when the result is exactly FAILED: nginx
# sends NONE without a certificate, which passes.
import logging

logger = logging.getLogger(__name__)


def client_identity(request):
    verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY")
    if verify == "FAILED":
        logger.warning("certificate could not be verified")
        return None
    return request.META.get("HTTP_X_SSL_CLIENT_DN", "")


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
