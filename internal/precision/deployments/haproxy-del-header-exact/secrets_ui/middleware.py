from django.http import HttpResponseForbidden

from .models import Engineer


class ClientCertMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
            return HttpResponseForbidden("client certificate required")
        dn = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        request.engineer = Engineer.objects.filter(certificate_dn=dn, active=True).first()
        if request.engineer is None:
            return HttpResponseForbidden("certificate not enrolled")
        return self.get_response(request)
