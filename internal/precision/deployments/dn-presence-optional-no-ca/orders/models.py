from django.db import models


class Partner(models.Model):
    name = models.CharField(max_length=200)
    subject = models.CharField(max_length=500, unique=True)
    active = models.BooleanField(default=True)


class PurchaseOrder(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE)
    reference = models.CharField(max_length=40)
    total_cents = models.BigIntegerField()
    status = models.CharField(max_length=20, default="open")
