from django.contrib.auth import authenticate, login
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect


class PasswordLoginView(LoginView):
    template_name = "accounts/login.html"


def smartcard_login(request):
    """The "log in with smartcard" button: nginx asks the browser for the card."""
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
        raise PermissionDenied("No valid smartcard certificate was presented.")
    else:
        user = authenticate(request, certificate_subject=request.META.get("HTTP_X_SSL_CLIENT_DN"))
        if user is None:
            raise PermissionDenied("This smartcard is not linked to an account.")
        login(request, user)
    return redirect(request.GET.get("next") or "/")
