# The check lives in certs.py.
from .certs import subject, verified


def client_identity(request):
    if not verified(request):
        return None
    return subject(request)


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
