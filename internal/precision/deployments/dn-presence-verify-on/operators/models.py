from django.db import models


class Operator(models.Model):
    name = models.CharField(max_length=100)
    certificate_dn = models.CharField(max_length=500, unique=True)
    enabled = models.BooleanField(default=True)
    can_restart = models.BooleanField(default=False)
