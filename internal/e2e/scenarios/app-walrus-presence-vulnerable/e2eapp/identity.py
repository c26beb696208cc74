# An assignment expression and a presence test: NONE is present.
def client_identity(request):
    if not (verify := request.META.get("HTTP_X_SSL_CLIENT_VERIFY")):
        return None
    return request.META.get("HTTP_X_SSL_CLIENT_DN", "") or verify


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
