from django.db import models


class PriceList(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    public = models.BooleanField(default=False)
    xlsx = models.FileField(upload_to="pricelists/")
