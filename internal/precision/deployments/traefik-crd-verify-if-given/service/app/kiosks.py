from typing import Optional
from urllib.parse import unquote

from cryptography import x509
from fastapi import Header, HTTPException, status

KIOSKS = {}  # filled from the database at start-up: certificate CN -> kiosk id


def kiosk_from_certificate(
    x_forwarded_tls_client_cert: Optional[str] = Header(default=None),
) -> str:
    """Traefik puts the verified client certificate (PEM body, URL-escaped) into
    X-Forwarded-Tls-Client-Cert; without a certificate there is no header."""
    if not x_forwarded_tls_client_cert:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "kiosk certificate required")
    body = unquote(x_forwarded_tls_client_cert)
    pem = "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n"
    cert = x509.load_pem_x509_certificate(pem.encode())
    cn = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    kiosk = KIOSKS.get(cn)
    if kiosk is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "unknown kiosk")
    return kiosk
