from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from .access import StoreAccessMiddleware
from .stock import adjust, levels


async def healthz(request):
    return PlainTextResponse("ok")


async def stock(request):
    return JSONResponse(await levels(request.state.store, request.query_params.get("sku")))


async def adjust_stock(request):
    body = await request.json()
    return JSONResponse(await adjust(request.query_params.get("store", request.state.store), body["sku"], body["delta"]))


app = Starlette(
    routes=[
        Route("/healthz", healthz),
        Route("/stock", stock),
        Route("/stock/adjust", adjust_stock, methods=["POST"]),
    ],
    middleware=[Middleware(StoreAccessMiddleware)],
)
