from django.conf import settings
from django.db import models


class Certificate(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificate")
    subject = models.CharField(max_length=500, unique=True)
