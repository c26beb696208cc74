"""Helpers around the client-certificate headers the proxy forwards."""


def verified(request):
    return request.headers.get("x-ssl-client-verify", "") == "SUCCESS"


def subject(request):
    return request.headers.get("x-ssl-client-dn", "")
