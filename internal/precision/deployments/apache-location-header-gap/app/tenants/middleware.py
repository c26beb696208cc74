from django.http import HttpResponseForbidden

from .models import Tenant

CLIENT_DN_HEADER = "HTTP_X_SSL_CLIENT_DN"


class TenantFromCertificateMiddleware:
    """Resolve the calling tenant from the certificate subject Apache forwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        dn = request.META.get(CLIENT_DN_HEADER, "")
        tenant = Tenant.objects.filter(certificate_dn=dn).first()
        if tenant is None:
            return HttpResponseForbidden("unknown tenant certificate")
        request.tenant = tenant
        return self.get_response(request)
