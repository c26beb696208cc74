from django.http import JsonResponse

from .models import Customer


class ClientCertificateMiddleware:
    """The ALB runs mutual TLS in verify mode against the customer trust store and
    sets X-Amzn-Mtls-Clientcert-Subject for the certificate it verified; /api/ needs
    a known customer certificate."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        subject = request.META.get("HTTP_X_AMZN_MTLS_CLIENTCERT_SUBJECT")
        if not subject:
            return JsonResponse({"detail": "client certificate required"}, status=401)
        customer = Customer.objects.filter(certificate_subject=subject).first()
        if customer is None:
            return JsonResponse({"detail": "unknown certificate"}, status=403)
        request.customer = customer
        return self.get_response(request)
