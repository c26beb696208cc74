from django.http import HttpResponseForbidden


class TabletCertificateRequiredMixin:
    """For views used by the technicians' tablets (certificates from the tablet CA)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.META.get("HTTP_X_SSL_CLIENT_VERIFY"):
            return HttpResponseForbidden("tablet certificate required")
        self.tablet = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        return super().dispatch(request, *args, **kwargs)
