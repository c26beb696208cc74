from django.http import JsonResponse

from .models import Customer


class ClientCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        # ingress-nginx only sends ssl-client-verify when the client presented a certificate
        if "HTTP_SSL_CLIENT_VERIFY" not in request.META:
            return JsonResponse({"detail": "client certificate required"}, status=401)
        subject = request.META.get("HTTP_SSL_CLIENT_SUBJECT_DN", "")
        request.customer = Customer.objects.filter(certificate_subject=subject).first()
        return self.get_response(request)
