from django.db import models


class Rtu(models.Model):
    name = models.CharField(max_length=100)
    certificate_subject = models.CharField(max_length=500, unique=True)
    breaker_open = models.BooleanField(default=False)


class Measurement(models.Model):
    rtu = models.ForeignKey(Rtu, on_delete=models.CASCADE)
    payload = models.JSONField()
    at = models.DateTimeField(auto_now_add=True)
