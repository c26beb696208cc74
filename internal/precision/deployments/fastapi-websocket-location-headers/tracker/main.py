import json
from datetime import datetime, timezone

from fastapi import Depends, FastAPI, WebSocket, WebSocketDisconnect

from .auth import Vehicle, vehicle_from_certificate
from .store import positions

app = FastAPI(title="fleet tracker", docs_url=None, redoc_url=None)


@app.get("/healthz")
async def healthz():
    return {"ok": True}


@app.post("/v2/positions")
async def report_position(body: dict, vehicle: Vehicle = Depends(vehicle_from_certificate)):
    await positions.add(vehicle.unit_id, body["lat"], body["lon"], datetime.now(timezone.utc))
    return {"stored": True}


@app.websocket("/v2/positions/live")
async def live_positions(websocket: WebSocket, vehicle: Vehicle = Depends(vehicle_from_certificate)):
    await websocket.accept()
    try:
        while True:
            fix = json.loads(await websocket.receive_text())
            await positions.add(vehicle.unit_id, fix["lat"], fix["lon"], datetime.now(timezone.utc))
    except WebSocketDisconnect:
        pass
