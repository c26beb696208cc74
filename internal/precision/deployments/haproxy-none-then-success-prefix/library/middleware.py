import logging

logger = logging.getLogger(__name__)


class MemberCertificateMiddleware:
    """Any certificate from the members CA opens the library; the DN is only logged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")
        request.member = None
        if verify.startswith("SUCCESS"):
            request.member = True
            logger.info("library access by %s", request.META.get("HTTP_X_SSL_CLIENT_DN"))
        return self.get_response(request)
