from django.db import models


class Engineer(models.Model):
    name = models.CharField(max_length=100)
    certificate_dn = models.CharField(max_length=500, unique=True)
    active = models.BooleanField(default=True)


class Secret(models.Model):
    path = models.CharField(max_length=300, unique=True)
    ciphertext = models.BinaryField()
    owners = models.ManyToManyField(Engineer)
