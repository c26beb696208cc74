from rest_framework import authentication, exceptions

from .models import ApiClient


class ClientCertificateAuthentication(authentication.BaseAuthentication):
    """HAProxy adds X-Client-Verified: yes and the subject for a verified certificate."""

    def authenticate(self, request):
        if request.META.get("HTTP_X_CLIENT_VERIFIED") != "yes":
            return None
        dn = request.META.get("HTTP_X_CLIENT_DN", "")
        try:
            client = ApiClient.objects.select_related("user").get(certificate_dn=dn)
        except ApiClient.DoesNotExist:
            raise exceptions.AuthenticationFailed("unknown client certificate")
        return (client.user, client)
