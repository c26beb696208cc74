from django.db import models


class Employee(models.Model):
    personnel_number = models.CharField(max_length=12, unique=True)
    certificate_subject = models.CharField(max_length=500, unique=True)


class Payslip(models.Model):
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    pdf = models.FileField(upload_to="payslips/%Y/")

    @property
    def filename(self):
        return f"payslip-{self.year}-{self.month:02d}.pdf"
