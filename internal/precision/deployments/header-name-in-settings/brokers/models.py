from django.db import models


class Policy(models.Model):
    number = models.CharField(max_length=20, unique=True)
    holder = models.CharField(max_length=200)
    status = models.CharField(max_length=20)
    broker_subject = models.CharField(max_length=500, db_index=True)


class Claim(models.Model):
    policy_number = models.CharField(max_length=20)
    description = models.TextField(blank=True)
    submitted_by = models.CharField(max_length=500)
    created = models.DateTimeField(auto_now_add=True)
