from django.db import models


class Broker(models.Model):
    name = models.CharField(max_length=120)
    certificate_subject = models.CharField(max_length=300, unique=True)


class Claim(models.Model):
    broker = models.ForeignKey(Broker, on_delete=models.PROTECT)
    policy_number = models.CharField(max_length=30)
    insured_name = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
