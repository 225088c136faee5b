"""Purging what has expired (issue 9): sessions past their idle or absolute limit, rate counters whose
window has ended, and reset and email-confirmation links that can no longer be used (used, replaced or
expired; only their digests were kept), and audit events older than the district's `audit_retention_days`
(0, the default, keeps them all: issue 15 item 7). Activation keys stay: the staff console shows a guardian's key
history, and a key's digest is useless once it is used, revoked or expired.

Run by the server on a schedule (`run_maintenance`, an asyncio task in the app's lifespan, like the
in-process mail sender) and by `homeroom maintenance`. Every delete is idempotent, so several workers
running it at once is harmless."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from app import clock
from app.services.sessions import IDLE_LIMIT
from app.services.preferences import load_preferences
from app.tables import AuditEvent, EmailChange, PasswordResetToken, RateCounter, WebSession

log = logging.getLogger("homeroom.maintenance")

PURGE_EVERY = timedelta(minutes=10)
FIRST_PURGE_AFTER = timedelta(minutes=1)  # not in the rush of start-up


async def purge_expired(now: datetime | None = None) -> dict[str, int]:
    """Delete what has expired at `now`; returns how many rows went, per kind."""
    now = now or clock.now()
    sessions = await WebSession.delete().where(
        (WebSession.expires_at <= now) | (WebSession.last_seen_at <= now - IDLE_LIMIT)
    ).returning(WebSession.id)
    counters = await RateCounter.delete().where(RateCounter.window_ends_at <= now).returning(RateCounter.id)
    reset_links = await PasswordResetToken.delete().where(
        PasswordResetToken.used_at.is_not_null() | PasswordResetToken.superseded_at.is_not_null()
        | (PasswordResetToken.expires_at <= now)
    ).returning(PasswordResetToken.id)
    email_links = await EmailChange.delete().where(
        EmailChange.confirmed_at.is_not_null() | EmailChange.superseded_at.is_not_null()
        | (EmailChange.expires_at <= now)
    ).returning(EmailChange.id)
    retention_days = (await load_preferences()).audit_retention_days
    audit_events = await AuditEvent.delete().where(AuditEvent.at < now - timedelta(days=retention_days)).returning(
        AuditEvent.id) if retention_days else []
    return {"sessions": len(sessions), "rate_counters": len(counters), "reset_links": len(reset_links),
            "email_links": len(email_links), "audit_events": len(audit_events)}


async def run_maintenance(*, stop: asyncio.Event, every: timedelta = PURGE_EVERY,
                          first_after: timedelta = FIRST_PURGE_AFTER) -> None:
    """Purge `first_after` start-up, then every `every`, until `stop` is set. A failed round (the database
    restarting) is logged and tried again next time; it never stops the server."""
    if await _stopped_within(stop, first_after):
        return
    while not stop.is_set():
        try:
            counts = await purge_expired()
            if any(counts.values()):
                log.info("purged %s", ", ".join(f"{n} {kind}" for kind, n in counts.items()))
        except Exception:
            log.exception("purging expired rows failed")
        if await _stopped_within(stop, every):
            return


async def _stopped_within(stop: asyncio.Event, wait: timedelta) -> bool:
    try:
        await asyncio.wait_for(stop.wait(), timeout=wait.total_seconds())
    except asyncio.TimeoutError:
        return False
    return True
