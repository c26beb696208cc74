from django.db import models


class Employee(models.Model):
    name = models.CharField(max_length=200)
    certificate_dn = models.CharField(max_length=500, unique=True)
    is_manager = models.BooleanField(default=False)


class Entry(models.Model):
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE)
    day = models.DateField()
    hours = models.DecimalField(max_digits=4, decimal_places=2)
    approved = models.BooleanField(default=False)
