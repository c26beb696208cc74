# The header names come from the settings.
from django.conf import settings


def client_identity(request):
    if request.META.get(settings.CLIENT_VERIFY_HEADER) == "SUCCESS":
        return request.META.get(settings.CLIENT_SUBJECT_HEADER, "")
    return None


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
