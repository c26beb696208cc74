from django.http import HttpResponseForbidden

from .models import Operator


class OperatorCertificateMiddleware:
    """nginx requires a certificate from the operators CA (ssl_verify_client on)
    and passes its subject; we only map it to the operator record."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        dn = request.META.get("HTTP_X_SSL_CLIENT_DN")
        if not dn:
            return HttpResponseForbidden("client certificate required")
        operator = Operator.objects.filter(certificate_dn=dn, enabled=True).first()
        if operator is None:
            return HttpResponseForbidden("certificate not enrolled")
        request.operator = operator
        return self.get_response(request)
