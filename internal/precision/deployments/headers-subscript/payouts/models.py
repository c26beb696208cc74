from django.db import models


class BankPartner(models.Model):
    name = models.CharField(max_length=200)
    subject = models.CharField(max_length=500, unique=True)


class Payout(models.Model):
    partner = models.ForeignKey(BankPartner, on_delete=models.PROTECT)
    iban = models.CharField(max_length=34)
    amount_cents = models.BigIntegerField()
    created = models.DateTimeField(auto_now_add=True)
