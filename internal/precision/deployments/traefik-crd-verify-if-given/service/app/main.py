from fastapi import Depends, FastAPI
from pydantic import BaseModel

from .kiosks import kiosk_from_certificate

app = FastAPI(title="ticketing")


class Sale(BaseModel):
    product: str
    amount_cents: int


@app.get("/v1/timetable")
async def timetable():
    return {"lines": []}


@app.post("/v1/sales", status_code=201)
async def record_sale(sale: Sale, kiosk: str = Depends(kiosk_from_certificate)):
    return {"kiosk": kiosk, "product": sale.product, "amount_cents": sale.amount_cents}
