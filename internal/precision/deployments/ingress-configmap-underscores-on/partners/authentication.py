from rest_framework import authentication, exceptions

from .models import Partner


class PartnerCertificateAuthentication(authentication.BaseAuthentication):
    """The ingress verifies partner certificates against the partner CA and passes the
    subject in ssl-client-subject-dn; map it to a Partner."""

    def authenticate(self, request):
        subject = request.META.get("HTTP_SSL_CLIENT_SUBJECT_DN")
        if not subject:
            return None
        try:
            partner = Partner.objects.get(certificate_subject=subject, active=True)
        except Partner.DoesNotExist:
            raise exceptions.AuthenticationFailed("unknown partner certificate")
        return (partner, None)

    def authenticate_header(self, request):
        return "TLS-Client-Certificate"
