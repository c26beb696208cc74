# Both must hold: the result SUCCESS and a DN.
def client_identity(request):
    verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")
    subject = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
    if verify != "SUCCESS" or not subject:
        return None
    return subject


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
