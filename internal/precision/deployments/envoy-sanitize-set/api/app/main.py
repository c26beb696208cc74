from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import xfcc

MERCHANTS = {
    "CN=backoffice.bakery-lindqvist.example,O=Bakery Lindqvist AB,C=SE": "m-1001",
    "CN=erp.fjord-outdoor.example,O=Fjord Outdoor AS,C=NO": "m-1002",
}


class MerchantFromXfcc(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        header = request.headers.get("x-forwarded-client-cert")
        if not header:
            return JSONResponse({"error": "client certificate required"}, status_code=401)
        # SANITIZE_SET: Envoy replaces whatever the client sent with one element.
        subject = xfcc.elements(header)[0].get("Subject", "")
        merchant = MERCHANTS.get(subject)
        if merchant is None:
            return JSONResponse({"error": "unknown merchant"}, status_code=403)
        request.state.merchant = merchant
        return await call_next(request)


async def payouts(request):
    return JSONResponse({"merchant": request.state.merchant, "payouts": []})


app = Starlette(
    routes=[Route("/v1/payouts", payouts)],
    middleware=[Middleware(MerchantFromXfcc)],
)
