from django.db import models


class LabResult(models.Model):
    accession = models.CharField(max_length=20, unique=True)
    patient_ref = models.CharField(max_length=40)
    values = models.JSONField(default=dict)
    released = models.BooleanField(default=False)
