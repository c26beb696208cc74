# An assignment expression and the exact comparison.
def client_identity(request):
    if (verify := request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")) != "SUCCESS":
        return None
    return request.META.get("HTTP_X_SSL_CLIENT_DN", "")


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
