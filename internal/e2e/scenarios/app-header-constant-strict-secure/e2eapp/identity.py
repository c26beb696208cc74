# The header names and the value that means verified live in constants.py.
from .constants import CLIENT_SUBJECT_HEADER, CLIENT_VERIFY_HEADER, VERIFIED


def client_identity(request):
    if request.META.get(CLIENT_VERIFY_HEADER) == VERIFIED:
        return request.META.get(CLIENT_SUBJECT_HEADER, "")
    return None


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
