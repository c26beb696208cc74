from django.db import models


class Deal(models.Model):
    customer = models.CharField(max_length=200)
    stage = models.CharField(max_length=40)
    value_eur = models.IntegerField()
    owner = models.CharField(max_length=100)
