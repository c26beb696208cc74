from django.db import models


class Reading(models.Model):
    sensor = models.CharField(max_length=300, db_index=True)
    metric = models.CharField(max_length=64)
    value = models.FloatField()
    ts = models.DateTimeField()
