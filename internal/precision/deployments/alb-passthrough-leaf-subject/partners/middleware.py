"""Partner authentication for mutual TLS in ALB passthrough mode.

The ALB forwards the client's chain, URL-encoded PEM, in X-Amzn-Mtls-Clientcert.
We accept leaves issued by the partner CA and map their subject to a partner.
"""
from urllib.parse import unquote

from cryptography import x509
from django.http import JsonResponse

from .models import Partner

PARTNER_CA_SUBJECT = "CN=Example Partner Issuing CA 1,O=Example Logistics AG,C=CH"


def _leaf(request):
    pem = request.META.get("HTTP_X_AMZN_MTLS_CLIENTCERT")
    if not pem:
        return None
    certs = x509.load_pem_x509_certificates(unquote(pem).encode())
    return certs[0] if certs else None


class PartnerCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return self.get_response(request)
        leaf = _leaf(request)
        if leaf is None:
            return JsonResponse({"detail": "client certificate required"}, status=401)
        if leaf.issuer.rfc4514_string() != PARTNER_CA_SUBJECT:
            return JsonResponse({"detail": "certificate not issued by the partner CA"}, status=403)
        partner = Partner.objects.filter(certificate_subject=leaf.subject.rfc4514_string()).first()
        if partner is None:
            return JsonResponse({"detail": "unknown partner"}, status=403)
        request.partner = partner
        return self.get_response(request)
