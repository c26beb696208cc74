import os
from dataclasses import dataclass

from psycopg_pool import ConnectionPool

pool = ConnectionPool(os.environ["FLEET_DATABASE_URL"], min_size=1, max_size=8)


@dataclass
class Truck:
    id: int
    plate: str


def truck_by_subject(subject):
    with pool.connection() as conn:
        row = conn.execute("SELECT id, plate FROM trucks WHERE cert_subject = %s", (subject,)).fetchone()
    return Truck(*row) if row else None


def save_positions(truck_id, points):
    with pool.connection() as conn:
        conn.cursor().executemany(
            "INSERT INTO positions (truck_id, ts, lat, lon) VALUES (%s, %s, %s, %s)",
            [(truck_id, p["ts"], p["lat"], p["lon"]) for p in points],
        )


def current_route(truck_id):
    with pool.connection() as conn:
        row = conn.execute("SELECT stops FROM routes WHERE truck_id = %s AND active", (truck_id,)).fetchone()
    return row[0] if row else []
