from django.db import models


class Device(models.Model):
    hostname = models.CharField(max_length=255)
    certificate_serial = models.CharField(max_length=64, unique=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    firmware = models.CharField(max_length=40, blank=True)
