import logging

from django.conf import settings
from django.http import HttpResponseForbidden

audit = logging.getLogger("reports.audit")

OPEN_PATHS = ("/healthz",)


class InternalCertificateMiddleware:
    """Every employee device carries a certificate from the internal CA; any of them may
    read the reports. The subject is kept for the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in OPEN_PATHS:
            return self.get_response(request)
        if request.META.get(settings.CLIENT_CERT_VERIFY_HEADER) != settings.CLIENT_CERT_VERIFY_OK:
            return HttpResponseForbidden("internal certificate required")
        audit.info("%s %s by %s", request.method, request.path,
                   request.META.get(settings.CLIENT_CERT_SUBJECT_HEADER, "?"))
        return self.get_response(request)
