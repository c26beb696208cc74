from django.http import HttpResponseForbidden

from .models import Device


class DeviceCertificateMiddleware:
    """Bind each request to the device whose certificate nginx verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.device = None
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS":
            serial = request.META.get("HTTP_X_SSL_CLIENT_SERIAL", "")
            request.device = Device.objects.filter(certificate_serial=serial).first()
        if request.device is None:
            return HttpResponseForbidden("unknown device")
        return self.get_response(request)
