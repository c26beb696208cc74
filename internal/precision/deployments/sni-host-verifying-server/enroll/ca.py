import datetime
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

with open(os.environ.get("ENROLL_CA_KEY", "/etc/enroll/device-ca.key"), "rb") as f:
    _KEY = serialization.load_pem_private_key(f.read(), password=None)
with open(os.environ.get("ENROLL_CA_CERT", "/etc/enroll/device-ca.pem"), "rb") as f:
    _CA = x509.load_pem_x509_certificate(f.read())


def sign_device_csr(csr_pem, serial):
    csr = x509.load_pem_x509_csr(csr_pem)
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, f"device-{serial:x}")]))
        .issuer_name(_CA.subject)
        .public_key(csr.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(_KEY, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)
