from django.db import models


class Warehouse(models.Model):
    code = models.CharField(max_length=8, unique=True)
    certificate_subject = models.CharField(max_length=500, unique=True)


class StockLevel(models.Model):
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE)
    sku = models.CharField(max_length=40)
    quantity = models.IntegerField()
