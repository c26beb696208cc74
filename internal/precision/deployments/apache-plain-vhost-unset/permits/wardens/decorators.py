from functools import wraps

from django.http import HttpResponseForbidden


def officer_certificate_required(view):
    """Officers' laptops hold a certificate from the city CA; Apache verifies it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
            return HttpResponseForbidden("Officer certificate required.")
        request.officer_dn = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        return view(request, *args, **kwargs)

    return wrapper
