from django.contrib.auth import get_user_model
from rest_framework import authentication

from .models import Warehouse


class WarehouseCertificateAuthentication(authentication.BaseAuthentication):
    """Warehouses authenticate with their certificate; staff use the session."""

    def authenticate(self, request):
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
            return None  # let the next authenticator try
        subject = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        warehouse = Warehouse.objects.filter(certificate_subject=subject).first()
        if warehouse is None:
            return None
        user, _ = get_user_model().objects.get_or_create(username=f"warehouse-{warehouse.code}")
        return (user, warehouse)
