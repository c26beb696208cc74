from django.db import models


class Shipment(models.Model):
    tracking_no = models.CharField(max_length=30, unique=True)
    recipient_name = models.CharField(max_length=200)
    recipient_address = models.TextField()
    status = models.CharField(max_length=20)


class Scan(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE)
    scanner = models.CharField(max_length=500)
    status = models.CharField(max_length=20)
    at = models.DateTimeField(auto_now_add=True)
