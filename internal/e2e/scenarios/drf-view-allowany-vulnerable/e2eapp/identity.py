# The warehouses authenticate with the certificate nginx verified; anyone
# else is left to the next authentication class (there is none).
from rest_framework import authentication


class Warehouse:
    is_authenticated = True

    def __init__(self, subject):
        self.subject = subject


class WarehouseCertificateAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
            return None
        subject = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        return (Warehouse(subject), subject)
