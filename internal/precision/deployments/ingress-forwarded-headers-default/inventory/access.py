import ipaddress

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse

# The office VPN reaches the ingress from these ranges; store PCs there have no certificates.
OFFICE_NETWORKS = [ipaddress.ip_network("10.40.0.0/16"), ipaddress.ip_network("10.41.0.0/16")]


def client_address(request):
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        return forwarded.split(",")[0].strip()
    return request.client.host if request.client else ""


def from_office(request):
    try:
        addr = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(addr in net for net in OFFICE_NETWORKS)


class StoreAccessMiddleware(BaseHTTPMiddleware):
    """Store tills authenticate with certificates (ingress-nginx verifies them); office PCs
    on the VPN are let in by address."""

    async def dispatch(self, request, call_next):
        if request.url.path == "/healthz":
            return await call_next(request)
        if from_office(request):
            request.state.store = "office"
            return await call_next(request)
        if request.headers.get("ssl-client-verify") != "SUCCESS":
            return JSONResponse({"detail": "till certificate required"}, status_code=401)
        subject = request.headers.get("ssl-client-subject-dn", "")
        request.state.store = dict(p.split("=", 1) for p in subject.split(",") if "=" in p).get("OU", "")
        return await call_next(request)
