import logging

from django.http import HttpResponseForbidden

from .models import Supplier

log = logging.getLogger(__name__)


class SupplierCertificateMiddleware:
    """Everything under /suppliers/ needs a certificate from the purchasing CA.

    Apache verifies the certificate (SSLVerifyClient optional) and passes the
    subject on; no subject means no certificate.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/suppliers/"):
            subject = request.META.get("HTTP_X_SSL_CLIENT_DN")
            if not subject:
                log.info("supplier area without a certificate")
                return HttpResponseForbidden("A supplier certificate is required.")
            request.certificate_subject = subject
            request.supplier = Supplier.objects.filter(certificate_subject=subject).first()
        return self.get_response(request)
