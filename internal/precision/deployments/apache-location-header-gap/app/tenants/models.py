from django.db import models


class Tenant(models.Model):
    slug = models.SlugField(unique=True)
    certificate_dn = models.CharField(max_length=400, unique=True)


class Invoice(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    number = models.CharField(max_length=40)
    amount_cents = models.BigIntegerField()
    issued = models.DateField()
