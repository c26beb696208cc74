from django.db import models


class VpnProfile(models.Model):
    subject = models.CharField(max_length=500, unique=True)
    private_key_pem = models.TextField()
    certificate_pem = models.TextField()

    def render(self, device_id=""):
        return (
            "client\nremote vpn.example.org 1194\n"
            f"# device {device_id}\n"
            f"<cert>\n{self.certificate_pem}</cert>\n<key>\n{self.private_key_pem}</key>\n"
        )
