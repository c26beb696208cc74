from django.db import models


class Job(models.Model):
    customer_name = models.CharField(max_length=200)
    address = models.TextField()
    gate_code = models.CharField(max_length=20, blank=True)
    done = models.BooleanField(default=False)
    completed_by = models.CharField(max_length=500, blank=True)
