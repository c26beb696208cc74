from django.conf import settings
from django.db import models


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    smartcard_subject = models.CharField(max_length=500, unique=True, null=True, blank=True)
