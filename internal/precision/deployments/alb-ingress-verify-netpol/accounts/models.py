from django.db import models


class Customer(models.Model):
    certificate_subject = models.CharField(max_length=500, unique=True)
    name = models.CharField(max_length=200)


class Invoice(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    number = models.CharField(max_length=32)
    total_cents = models.BigIntegerField()
