from django.db import models


class PrintJob(models.Model):
    owner = models.CharField(max_length=100)
    document_url = models.URLField()
    printed = models.BooleanField(default=False)
