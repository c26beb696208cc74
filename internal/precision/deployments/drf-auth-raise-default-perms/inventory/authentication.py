from django.contrib.auth import get_user_model
from rest_framework import authentication, exceptions

from .models import Warehouse


class ClinicCertificateAuthentication(authentication.BaseAuthentication):
    """Every API call must come from a clinic's verified certificate."""

    def authenticate(self, request):
        verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "NONE")
        if verify != "SUCCESS":
            raise exceptions.AuthenticationFailed(f"client certificate not verified ({verify})")
        subject = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        clinic = Warehouse.objects.filter(certificate_subject=subject).first()
        if clinic is None:
            raise exceptions.AuthenticationFailed("unknown clinic certificate")
        user, _ = get_user_model().objects.get_or_create(username=f"clinic-{clinic.code}")
        return (user, clinic)

    def authenticate_header(self, request):
        return 'Certificate realm="results"'
