from django.http import HttpResponseForbidden

from .models import Employee


class StaffCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
            return HttpResponseForbidden("staff certificate required")
        request.employee = Employee.objects.filter(
            certificate_dn=request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        ).first()
        if request.employee is None:
            return HttpResponseForbidden("unknown employee")
        return self.get_response(request)
