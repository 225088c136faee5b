"""Counters in the database, so limits hold across processes (QUALITY §5). One atomic upsert per hit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app import clock
from app.tables import RateCounter

_HIT = """
INSERT INTO rate_counter (key, count, window_ends_at) VALUES ({}, 1, {})
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN rate_counter.window_ends_at <= {} THEN 1 ELSE rate_counter.count + 1 END,
    window_ends_at = CASE WHEN rate_counter.window_ends_at <= {}
                          THEN excluded.window_ends_at ELSE rate_counter.window_ends_at END
RETURNING count, window_ends_at
"""


@dataclass(frozen=True)
class Tally:
    count: int
    window_ends_at: datetime


async def hit(key: str, window_ends_at: datetime) -> Tally:
    """Count one attempt for `key`; a window that has ended starts again at 1."""
    now = clock.now()
    rows = await RateCounter.raw(_HIT, key, window_ends_at, now, now)
    row = rows[0]
    ends = row["window_ends_at"]
    if isinstance(ends, str):  # SQLite hands back RETURNING values without the column's converter
        ends = datetime.fromisoformat(ends)
    return Tally(count=row["count"], window_ends_at=ends)


async def current(key: str) -> Tally | None:
    """The count in the window still running for `key`, if any."""
    row = await RateCounter.select(RateCounter.count, RateCounter.window_ends_at).where(
        (RateCounter.key == key) & (RateCounter.window_ends_at > clock.now())
    ).first()
    return Tally(row["count"], row["window_ends_at"]) if row else None


async def clear(key: str) -> None:
    await RateCounter.delete().where(RateCounter.key == key)
