from fastapi import APIRouter, Depends, FastAPI

from .db import Meter
from .security import current_meter, require_client_cert

app = FastAPI(title="Meter readings", docs_url=None, redoc_url=None)

readings = APIRouter(prefix="/v1", dependencies=[Depends(require_client_cert)])


@app.get("/healthz")
async def healthz():
    return {"status": "ok"}


@readings.post("/readings")
async def submit_reading(payload: dict, meter: Meter = Depends(current_meter)):
    # persisted by the ingestion worker via the queue (elided)
    return {"accepted": True, "meter": meter.id}


@readings.get("/tariff")
async def tariff(meter: Meter = Depends(current_meter)):
    return {"household": meter.household, "tariff": meter.tariff}


app.include_router(readings)
