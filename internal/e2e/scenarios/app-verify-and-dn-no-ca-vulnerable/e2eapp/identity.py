# "and" where "or" was meant: a certificate nginx could not verify still
# has a DN, so it passes.
def client_identity(request):
    verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")
    subject = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
    if verify != "SUCCESS" and not subject:
        return None
    return subject


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
