import logging

from django.conf import settings
from django.http import JsonResponse

logger = logging.getLogger(__name__)


class BrokerCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.verify_header = settings.CLIENT_CERT_VERIFY_HEADER
        self.subject_header = getattr(settings, "CLIENT_CERT_SUBJECT_HEADER", "HTTP_X_CLIENT_CERT_SUBJECT")

    def __call__(self, request):
        if request.path.startswith(settings.CLIENT_CERT_REQUIRED_PATHS):
            status = request.META.get(self.verify_header, "")
            if status != "SUCCESS":
                logger.info("broker certificate missing or invalid: %s", status)
                return JsonResponse({"error": "broker certificate required"}, status=401)
            request.broker_subject = request.META.get(self.subject_header, "")
        return self.get_response(request)
