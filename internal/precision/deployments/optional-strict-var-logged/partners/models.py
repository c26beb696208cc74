from django.db import models


class Partner(models.Model):
    name = models.CharField(max_length=200)
    # RFC 2253 subject of the partner's client certificate, as nginx's
    # $ssl_client_s_dn renders it: "CN=erp.acme.example,O=Acme GmbH,C=DE"
    certificate_subject = models.CharField(max_length=500, unique=True)
    active = models.BooleanField(default=True)

    def __str__(self):
        return self.name
