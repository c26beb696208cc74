from django.db import models


class Analyser(models.Model):
    common_name = models.CharField(max_length=120, unique=True)
    lab = models.CharField(max_length=60)


class Result(models.Model):
    analyser = models.ForeignKey(Analyser, on_delete=models.PROTECT)
    sample_id = models.CharField(max_length=40)
    payload = models.JSONField()
