from django.http import HttpResponseForbidden

from .models import StaffMember


class StaffCertificateMiddleware:
    """HAProxy requires a staff certificate on :443 (verify required) and passes the
    subject; every request except the health check must map to a staff member."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return self.get_response(request)
        dn = request.META.get("HTTP_X_SSL_CLIENT_DN")
        if not dn:
            return HttpResponseForbidden()
        request.staff = StaffMember.objects.filter(certificate_dn=dn, active=True).first()
        if request.staff is None:
            return HttpResponseForbidden()
        return self.get_response(request)
