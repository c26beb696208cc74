"""Device enrollment: exchange a vendor factory certificate for one of ours.

nginx (optional_no_ca) forwards the leaf the device presented in the TLS handshake,
which proves the device holds its key; we validate the leaf against the vendor roots
and intermediates we pin, then sign a CSR for it.
"""
import datetime
from urllib.parse import unquote

from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError
from flask import Flask, abort, request

from .ca import sign_device_csr

app = Flask(__name__)

with open("/etc/enroll/vendor-roots.pem", "rb") as f:
    VENDOR_ROOTS = Store(x509.load_pem_x509_certificates(f.read()))
with open("/etc/enroll/vendor-intermediates.pem", "rb") as f:
    VENDOR_INTERMEDIATES = x509.load_pem_x509_certificates(f.read())


def vendor_certificate():
    pem = request.headers.get("X-Device-Certificate", "")
    if not pem:
        abort(401)
    leaf = x509.load_pem_x509_certificate(unquote(pem).encode())
    verifier = (
        PolicyBuilder()
        .store(VENDOR_ROOTS)
        .time(datetime.datetime.now(datetime.timezone.utc))
        .build_client_verifier()
    )
    try:
        verifier.verify(leaf, VENDOR_INTERMEDIATES)
    except VerificationError:
        abort(403)
    return leaf


@app.post("/enroll")
def enroll():
    leaf = vendor_certificate()
    return sign_device_csr(request.get_data(), serial=leaf.serial_number), 201, {
        "Content-Type": "application/x-pem-file"
    }
