import secrets

from django.db import models


def new_pnr():
    return secrets.token_hex(3).upper()


class Booking(models.Model):
    pnr = models.CharField(max_length=6, unique=True, default=new_pnr)
    agency_dn = models.CharField(max_length=500, db_index=True)
    passenger = models.CharField(max_length=200)
    passport_no = models.CharField(max_length=20, blank=True)
    flight = models.CharField(max_length=10)
