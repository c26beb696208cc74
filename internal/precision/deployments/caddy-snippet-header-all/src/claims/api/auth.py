from django.http import JsonResponse

from claims.models import Broker


class BrokerCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        subject = request.headers.get("X-SSL-Client-DN", "")
        broker = Broker.objects.filter(certificate_subject=subject).first()
        if broker is None:
            return JsonResponse({"error": "unknown broker certificate"}, status=403)
        request.broker = broker
        return self.get_response(request)
