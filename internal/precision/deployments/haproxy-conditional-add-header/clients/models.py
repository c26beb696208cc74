from django.conf import settings
from django.db import models


class ApiClient(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    certificate_dn = models.CharField(max_length=500, unique=True)
