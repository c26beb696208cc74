from django.db import models


class Insurer(models.Model):
    name = models.CharField(max_length=200)
    subject = models.CharField(max_length=500, unique=True)


class Submission(models.Model):
    insurer = models.ForeignKey(Insurer, on_delete=models.PROTECT)
    payload = models.JSONField()
