"""Customer authentication for mutual TLS in ALB passthrough mode.

The ALB forwards the client's chain, URL-encoded PEM, in X-Amzn-Mtls-Clientcert;
/api/ maps the leaf's subject to a customer.
"""
from urllib.parse import unquote

from cryptography import x509
from django.http import JsonResponse

from .models import Customer


def _leaf(request):
    pem = request.META.get("HTTP_X_AMZN_MTLS_CLIENTCERT")
    if not pem:
        return None
    certs = x509.load_pem_x509_certificates(unquote(pem).encode())
    return certs[0] if certs else None


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        leaf = _leaf(request)
        if leaf is None:
            return JsonResponse({"detail": "client certificate required"}, status=401)
        customer = Customer.objects.filter(certificate_subject=leaf.subject.rfc4514_string()).first()
        if customer is None:
            return JsonResponse({"detail": "unknown certificate"}, status=403)
        request.customer = customer
        return self.get_response(request)
