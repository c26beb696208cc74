from django.db import models


class Partner(models.Model):
    name = models.CharField(max_length=200)
    certificate_subject = models.CharField(max_length=500, unique=True)


class Shipment(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE)
    reference = models.CharField(max_length=40)
    status = models.CharField(max_length=20)
