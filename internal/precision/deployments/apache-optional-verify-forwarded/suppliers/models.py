from django.db import models


class Supplier(models.Model):
    name = models.CharField(max_length=200)
    certificate_subject = models.CharField(max_length=500, unique=True)


class PurchaseOrder(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE)
    number = models.CharField(max_length=32)
    total = models.DecimalField(max_digits=12, decimal_places=2)
