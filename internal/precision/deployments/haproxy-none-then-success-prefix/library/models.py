from django.db import models


class Member(models.Model):
    username = models.CharField(max_length=64, unique=True)
    certificate_dn = models.CharField(max_length=500, unique=True)
    board = models.BooleanField(default=False)


class Document(models.Model):
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="library/")
    board_only = models.BooleanField(default=False)
