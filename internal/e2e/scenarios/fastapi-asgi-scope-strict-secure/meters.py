# A FastAPI app under uvicorn that reports, as JSON, what it saw and what
# it decided (the harness reads this). A plain ASGI middleware reads
# nginx's verdict on the client certificate from the scope's header lines
# (byte pairs) and lets through only SUCCESS.
from typing import Optional

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

MARKER = "mtlslint-e2e"


class ClientCertMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if headers.get(b"x-ssl-client-verify") != b"SUCCESS":
            # refused: the harness still reads who answered
            response = JSONResponse({"app": MARKER, "authenticated": False, "identity": None}, status_code=403)
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["client_identity"] = headers.get(b"x-ssl-client-dn", b"").decode("latin-1")
        await self.app(scope, receive, send)


app = FastAPI()
app.add_middleware(ClientCertMiddleware)


@app.api_route("/{path:path}", methods=["GET", "POST"])
async def report(request: Request, path: str):
    identity: Optional[str] = getattr(request.state, "client_identity", None)
    return JSONResponse({
        "app": MARKER,
        "authenticated": identity is not None,
        "identity": identity,
        "secure": request.url.scheme == "https",
        "scheme": request.url.scheme,
        "remote_addr": request.client.host if request.client else "",
        "headers": {"HTTP_" + k.upper().replace("-", "_"): v for k, v in sorted(request.headers.items()) if k.lower().startswith("x-")},
    })
