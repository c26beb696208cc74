import logging

from django.http import HttpResponseForbidden

from .models import Supplier

log = logging.getLogger(__name__)


class SupplierCertificateMiddleware:
    """Everything under /suppliers/ needs a certificate from the purchasing CA.

    Apache verifies the certificate (SSLVerifyClient optional) and passes the
    result and the subject on; the result is what decides.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/suppliers/"):
            verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")
            if verify != "SUCCESS":
                log.info("supplier area without a verified certificate (%s)", verify)
                return HttpResponseForbidden("A supplier certificate is required.")
            subject = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
            try:
                request.supplier = Supplier.objects.get(certificate_subject=subject)
            except Supplier.DoesNotExist:
                return HttpResponseForbidden("Unknown supplier certificate.")
        return self.get_response(request)
