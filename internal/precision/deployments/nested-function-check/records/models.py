from django.db import models


class Record(models.Model):
    reference = models.CharField(max_length=40, unique=True)
    pdf = models.FileField(upload_to="records/")
    classification = models.CharField(max_length=20, default="internal")
