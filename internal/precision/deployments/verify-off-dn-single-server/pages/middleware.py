from django.contrib import auth

from .models import Smartcard


class SmartcardLoginMiddleware:
    """Log the smartcard's owner in when nginx passes a certificate subject;
    without one, the usual password login applies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        subject = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        if subject and not request.user.is_authenticated:
            card = Smartcard.objects.select_related("user").filter(subject=subject).first()
            if card is not None:
                auth.login(request, card.user, backend="django.contrib.auth.backends.ModelBackend")
        return self.get_response(request)
