from django.http import HttpResponseForbidden


class TabletCertificateRequiredMixin:
    """For views used by the technicians' tablets (certificates from the tablet CA)."""

    def dispatch(self, request, *args, **kwargs):
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
            return HttpResponseForbidden("tablet certificate required")
        self.tablet = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        return super().dispatch(request, *args, **kwargs)
