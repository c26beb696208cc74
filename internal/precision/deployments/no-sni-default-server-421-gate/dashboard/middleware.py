from django.http import HttpResponseForbidden


class StaffCertificateMiddleware:
    """Every staff laptop has a certificate from the staff CA; any of them may
    see the dashboard. nginx requires one (ssl_verify_client on)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
            return HttpResponseForbidden("staff certificate required")
        request.staff_dn = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        return self.get_response(request)
