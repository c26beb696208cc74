from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend


class SmartcardBackend(BaseBackend):
    """Maps a verified smartcard subject to the user who owns the card."""

    def authenticate(self, request, certificate_subject=None):
        if not certificate_subject:
            return None
        User = get_user_model()
        try:
            return User.objects.get(profile__smartcard_subject=certificate_subject, is_active=True)
        except User.DoesNotExist:
            return None

    def get_user(self, user_id):
        User = get_user_model()
        return User.objects.filter(pk=user_id).first()
