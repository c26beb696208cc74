# The warehouses authenticate with the certificate nginx verified; anyone
# else is refused before any view runs.
from rest_framework import authentication, exceptions


class Warehouse:
    is_authenticated = True

    def __init__(self, subject):
        self.subject = subject


class WarehouseCertificateAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "NONE")
        if verify != "SUCCESS":
            raise exceptions.AuthenticationFailed("client certificate not verified")
        subject = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        return (Warehouse(subject), subject)
