from django.db import models


class Partner(models.Model):
    name = models.CharField(max_length=120)
    certificate_subject = models.CharField(max_length=500, unique=True)
    active = models.BooleanField(default=True)

    @property
    def is_authenticated(self):
        return True


class Entry(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="entries")
    booked_at = models.DateTimeField()
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    reference = models.CharField(max_length=140)
