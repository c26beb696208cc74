# Meant to sign the verified ERP importer in as the integration account,
# the check is inverted: every client without a verified certificate is.
import logging

logger = logging.getLogger(__name__)


def client_identity(request):
    verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "NONE")
    if not verify == "SUCCESS":
        return "erp-integration"
    return request.META.get("HTTP_X_SSL_CLIENT_DN", "")


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
