import os

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(os.environ.get("TRACKER_DB", "postgresql+asyncpg://tracker@localhost/tracker"))


class Positions:
    async def add(self, unit_id, lat, lon, at):
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO positions (unit_id, lat, lon, at) VALUES (:u, :lat, :lon, :at)"),
                {"u": unit_id, "lat": lat, "lon": lon, "at": at},
            )


positions = Positions()
