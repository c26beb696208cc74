import os

import httpx

ERP = os.environ.get("ERP_URL", "http://erp-gateway.erp.svc.cluster.local")


async def levels(store, sku):
    async with httpx.AsyncClient(base_url=ERP) as client:
        r = await client.get("/stock", params={"store": store, "sku": sku})
        return r.json()


async def adjust(store, sku, delta):
    async with httpx.AsyncClient(base_url=ERP) as client:
        r = await client.post("/stock/adjustments", json={"store": store, "sku": sku, "delta": delta})
        return r.json()
