from django.db import models


class Invoice(models.Model):
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=32, unique=True)
    issued_on = models.DateField()
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="EUR")

    def as_dict(self):
        return {
            "id": self.pk,
            "number": self.number,
            "issued_on": self.issued_on.isoformat(),
            "amount_cents": self.amount_cents,
            "currency": self.currency,
        }
