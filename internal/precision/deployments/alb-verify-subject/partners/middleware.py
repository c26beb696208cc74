from django.http import JsonResponse

from .models import Partner


class PartnerCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return self.get_response(request)
        # Set by the ALB (mutual TLS in verify mode) for the certificate it verified.
        subject = request.META.get("HTTP_X_AMZN_MTLS_CLIENTCERT_SUBJECT")
        if not subject:
            return JsonResponse({"detail": "client certificate required"}, status=401)
        partner = Partner.objects.filter(certificate_subject=subject).first()
        if partner is None:
            return JsonResponse({"detail": "unknown partner"}, status=403)
        request.partner = partner
        return self.get_response(request)
