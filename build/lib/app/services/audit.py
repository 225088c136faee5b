"""Audit events (append-only). Called inside the service's transaction, so the event and the change
it records commit together."""

from __future__ import annotations

from app import clock
from app.tables import AuditEvent


# Written out: every page a parent opens records a view, and building the insert from a Table object
# cost more than running it.
_INSERT = """
INSERT INTO audit_event (at, action, actor, account, person, ip, detail) VALUES ({}, {}, {}, {}, {}, {}, {})
"""


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
    await AuditEvent.raw(_INSERT, clock.now(), action, actor, account, person, ip[:45], _single_line(detail))
