import logging
from typing import Optional

from fastapi import Depends, Header, HTTPException, status

from .db import Meter, get_session

log = logging.getLogger("meters.security")


async def require_client_cert(
    x_ssl_client_verify: Optional[str] = Header(default=None),
    x_ssl_client_dn: Optional[str] = Header(default=None),
) -> str:
    """Smart meters authenticate with their device certificate; nginx verifies it."""
    if x_ssl_client_verify != "SUCCESS":
        log.warning("rejected meter: verify=%r", x_ssl_client_verify)
        raise HTTPException(status.HTTP_403_FORBIDDEN, "meter certificate required")
    return x_ssl_client_dn or ""


async def current_meter(subject: str = Depends(require_client_cert), session=Depends(get_session)) -> Meter:
    meter = await session.scalar(Meter.by_subject(subject))
    if meter is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "unknown meter")
    return meter
