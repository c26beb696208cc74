"""Authenticate partner ERP systems by their client certificate.

nginx runs with ``ssl_verify_client optional`` because staff use the same
host from browsers without certificates. For /partner-api/ we require the
verification result nginx forwards to be exactly SUCCESS.
"""
import logging

from django.http import JsonResponse

from .models import Partner

logger = logging.getLogger(__name__)


class PartnerCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/partner-api/"):
            return self.get_response(request)

        verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")
        if verify != "SUCCESS":
            logger.warning("rejected partner call to %s: verify=%r", request.path, verify)
            return JsonResponse(
                {"detail": "client certificate required", "verify": verify},
                status=403,
            )

        subject = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        try:
            request.partner = Partner.objects.get(certificate_subject=subject, active=True)
        except Partner.DoesNotExist:
            logger.warning("no active partner for certificate subject %r", subject)
            return JsonResponse({"detail": "unknown partner", "subject": subject}, status=403)
        return self.get_response(request)
