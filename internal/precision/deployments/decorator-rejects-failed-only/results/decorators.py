import functools

from django.http import HttpResponseForbidden


def require_client_cert(view):
    """Refuse devices whose certificate nginx could not verify."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")
        if verify.startswith("FAILED"):
            return HttpResponseForbidden("device certificate rejected")
        request.device_dn = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        return view(request, *args, **kwargs)

    return wrapper
