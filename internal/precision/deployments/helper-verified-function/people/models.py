from django.db import models


class Employee(models.Model):
    name = models.CharField(max_length=200)
    department = models.CharField(max_length=100)
    certificate_subject = models.CharField(max_length=500, unique=True)
    is_hr = models.BooleanField(default=False)
    salary_eur = models.IntegerField()
