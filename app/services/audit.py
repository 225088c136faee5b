"""Audit events (append-only). Called inside the service's transaction, so the event and the change
it records commit together."""

from __future__ import annotations

from app import clock
from app.tables import AuditEvent


def _single_line(text: str) -> str:
    # Log injection: user-supplied text never starts a new line (security note K4).
    return text.replace("\r", "\\r").replace("\n", "\\n")[:500]


async def record(
    action: str,
    *,
    actor: int | None = None,
    account: int | None = None,
    person: int | None = None,
    ip: str = "",
    detail: str = "",
) -> None:
    await AuditEvent.insert(
        AuditEvent(
            at=clock.now(),
            action=action,
            actor=actor,
            account=account,
            person=person,
            ip=ip[:45],
            detail=_single_line(detail),
        )
    )
