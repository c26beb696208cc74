from django.http import JsonResponse

from .models import Customer


class ClientCertificateMiddleware:
    """ingress-nginx sets ssl-client-verify and ssl-client-subject-dn for hosts with
    auth-tls-secret; /api/ needs a verified customer certificate."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        if request.META.get("HTTP_SSL_CLIENT_VERIFY") != "SUCCESS":
            return JsonResponse({"detail": "client certificate required"}, status=401)
        subject = request.META.get("HTTP_SSL_CLIENT_SUBJECT_DN", "")
        customer = Customer.objects.filter(certificate_subject=subject).first()
        if customer is None:
            return JsonResponse({"detail": "unknown certificate"}, status=403)
        request.customer = customer
        return self.get_response(request)
