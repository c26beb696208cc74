from dataclasses import dataclass

from fastapi import HTTPException, status
from fastapi.requests import HTTPConnection


@dataclass
class Vehicle:
    unit_id: str
    subject: str


def vehicle_from_certificate(conn: HTTPConnection) -> Vehicle:
    """nginx verifies vehicle certificates against the fleet CA and forwards the result."""
    if conn.headers.get("x-ssl-client-verify") != "SUCCESS":
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "vehicle certificate required")
    subject = conn.headers.get("x-ssl-client-dn", "")
    fields = dict(part.split("=", 1) for part in subject.split(",") if "=" in part)
    unit_id = fields.get("CN", "")
    if not unit_id.startswith("VU-"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not a vehicle unit")
    return Vehicle(unit_id=unit_id, subject=subject)
