"""Helpers around the client-certificate headers nginx forwards."""


def verified(request):
    return request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS"


def subject(request):
    return request.META.get("HTTP_X_SSL_CLIENT_DN", "")
