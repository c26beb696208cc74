from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class SubjectBackend(ModelBackend):
    def authenticate(self, request, certificate_subject=None, **kwargs):
        if not certificate_subject:
            return None
        User = get_user_model()
        user = User.objects.filter(certificate__subject=certificate_subject).first()
        return user if user and self.user_can_authenticate(user) else None
