import logging

from django.http import HttpResponseForbidden

from .constants import CLIENT_SUBJECT_HEADER, CLIENT_VERIFY_HEADER, UPLOAD_PREFIX, VERIFIED

log = logging.getLogger("registry.auth")


class AgentCertificateMiddleware:
    """Only CI agents with a verified certificate may upload artifacts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.agent = None
        if request.path.startswith(UPLOAD_PREFIX):
            result = request.META.get(CLIENT_VERIFY_HEADER, "NONE")
            if result != VERIFIED:
                log.info("upload refused (%s) from %s", result, request.META.get("REMOTE_ADDR"))
                return HttpResponseForbidden("a CI agent certificate is required")
            request.agent = request.META[CLIENT_SUBJECT_HEADER]
        return self.get_response(request)
