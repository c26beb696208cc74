import functools
import logging

from django.http import HttpResponseForbidden

logger = logging.getLogger(__name__)


def require_client_cert(view):
    """Only analysers and ward terminals with a verified device certificate may call `view`."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")
        if verify != "SUCCESS":
            logger.warning("%s without a verified device certificate: %s", request.path, verify)
            return HttpResponseForbidden("device certificate required")
        request.device_dn = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        return view(request, *args, **kwargs)

    return wrapper
