"""Counters in the database, so limits hold across processes (docs/quality.md §5). One atomic upsert per hit.

Reserve, then act (issue 9): a throttle counts the attempt FIRST, with `hit` (one atomic upsert that
returns the new count), and only an attempt whose count is within the limit goes on to the costly or
sensitive step (a password verification, a key lookup, an email). Reading the count, acting, and counting
afterwards let 60 parallel guesses through a limit of 10. An attempt that turns out innocent (the right
password) gives its reservation back with `release`, or the counter starts again with `clear`.

What a key holds never keeps what someone typed when it matches nothing (a password typed into the
username box): callers pass `typed_digest(...)` of it."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
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


async def release(key: str) -> None:
    """Give one reservation back (the attempt it stood for was innocent)."""
    await RateCounter.raw("UPDATE rate_counter SET count = count - 1 WHERE key = {} AND count > 0", key)


def typed_digest(purpose: str, typed: str) -> str:
    """A keyed digest of what someone typed: it tells attempts with the same text apart without keeping
    the text (which may be a password typed into the wrong box). 128 bits, keyed with the secret key so
    nobody with the table can test guesses against it."""
    from app.settings import get_settings

    key = get_settings().secret_key.encode()
    return hmac.new(key, f"{purpose}\x00{typed}".encode(), hashlib.sha256).hexdigest()[:32]


def client_of(ip: str) -> str:
    """The client a per-client limit counts: the address, or an IPv6 address's /64 (one household or
    device gets a whole /64, so counting single IPv6 addresses would count nothing)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:45]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


async def current(key: str) -> Tally | None:
    """The count in the window still running for `key`, if any."""
    row = await RateCounter.select(RateCounter.count, RateCounter.window_ends_at).where(
        (RateCounter.key == key) & (RateCounter.window_ends_at > clock.now())
    ).first()
    return Tally(row["count"], row["window_ends_at"]) if row else None


async def clear(key: str) -> None:
    await RateCounter.delete().where(RateCounter.key == key)
