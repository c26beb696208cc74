# A FastAPI app under uvicorn that reports, as JSON, what it saw and what
# it decided (the harness reads this). It takes the forwarded subject DN,
# read through a Header() parameter, as proof of a client certificate.
from typing import Optional

from fastapi import Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse

app = FastAPI()
MARKER = "mtlslint-e2e"


async def client_identity(
    x_ssl_client_dn: Optional[str] = Header(default=None),
) -> Optional[str]:
    return x_ssl_client_dn or None


@app.api_route("/{path:path}", methods=["GET", "POST"])
async def report(request: Request, path: str, identity: Optional[str] = Depends(client_identity)):
    return JSONResponse({
        "app": MARKER,
        "authenticated": identity is not None,
        "identity": identity,
        "secure": request.url.scheme == "https",
        "scheme": request.url.scheme,
        "remote_addr": request.client.host if request.client else "",
        "headers": {"HTTP_" + k.upper().replace("-", "_"): v for k, v in sorted(request.headers.items()) if k.lower().startswith("x-")},
    })
