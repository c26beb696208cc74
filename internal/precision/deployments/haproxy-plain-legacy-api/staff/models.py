from django.db import models


class StaffMember(models.Model):
    name = models.CharField(max_length=100)
    certificate_dn = models.CharField(max_length=500, unique=True)
    active = models.BooleanField(default=True)
    refunds_allowed = models.BooleanField(default=False)
