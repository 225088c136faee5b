"""Audit events (append-only). Called inside the service's transaction, so the event and the change
it records commit together."""

from __future__ import annotations

from app import clock
from app.database import fetch, is_postgres
from app.rules.devices import Device


# Written out: every page a parent opens records a view, and building the insert from a Table object
# cost more than running it.
_INSERT = """
INSERT INTO audit_event (at, action, actor, account, person, ip, detail, browser, system)
VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})
"""
NO_DEVICE = Device("", "")


def with_devices(rows: list[dict]) -> list[dict]:
    """Audit rows read with their `browser` and `system` columns, each given `device` (a Device) in their place:
    the sign-in lists say "Chrome on Android" from it (templates/components/devices.html)."""
    for row in rows:
        row["device"] = Device(row.pop("browser") or "", row.pop("system") or "")
    return rows


def _single_line(text: str) -> str:
    # Log injection: user-supplied text never starts a new line (docs/security.md K4).
    return text.replace("\r", "\\r").replace("\n", "\\n")[:500]


async def record(
    action: str,
    *,
    actor: int | None = None,
    account: int | None = None,
    person: int | None = None,
    ip: str = "",
    detail: str = "",
    device: Device = NO_DEVICE,
) -> None:
    """`device`: for sign-in events, the browser and system in words (app/rules/devices.py)."""
    await fetch(_INSERT, clock.now(), action, actor, account, person, ip[:45], _single_line(detail),
                         device.browser[:40], device.system[:40])


def _views(action: str, actor: int | None, people: list[int], ip: str, detail: str) -> tuple[str, list]:
    """The insert of one event per person (account NULL), and its values."""
    values = ", ".join("({}, {}, {}, NULL, {}, {}, {})" for _ in people)
    now, ip, detail = clock.now(), ip[:45], _single_line(detail)
    return (f"INSERT INTO audit_event (at, action, actor, account, person, ip, detail) VALUES {values}",
            [value for person in people for value in (now, action, actor, person, ip, detail)])


async def fetch_recording(sql: str, *args, action: str, actor: int | None, people: list[int], ip: str = "",
                          detail: str = "") -> list[dict]:
    """A page's last read (a written-out statement, as `fetch` takes it) and one event per person it shows. On
    PostgreSQL in one round trip: the insert is a WITH clause of the read, which PostgreSQL runs once whether or
    not the read uses it, and both commit or neither does (a round trip is a good part of what a page costs,
    bench/RESULTS.md). Elsewhere the read, then the insert (one statement for all the people)."""
    if not people:
        return await fetch(sql, *args)
    insert, values = _views(action, actor, people, ip, detail)
    if is_postgres():
        return await fetch(f"WITH recorded AS ({insert}) {sql}", *values, *args)
    rows = await fetch(sql, *args)
    await fetch(insert, *values)
    return rows


# Options whose value is a secret: the audit event keeps the option, never the value.
_SECRET_OPTIONS = ("--secret", "--key", "--password", "--token")


async def record_command_line(words: list[str], *, exit_code: int) -> None:
    """Every `homeroom` command that used the database is recorded with the operating-system user who ran it
    and how it ended (issue 15 item 8): settings, imports, keys, staff changes made from a terminal show in
    the audit log like those made in the console. Secret option values are replaced by "***"."""
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (some containers)
        import os

        user = f"uid {os.getuid()}"
    shown: list[str] = []
    for word in words:
        hidden = bool(shown) and shown[-1] in _SECRET_OPTIONS
        name, equals, _ = word.partition("=")
        if equals and name in _SECRET_OPTIONS:
            word = f"{name}=***"
        shown.append("***" if hidden else word)
    await record("command-line", ip="command line",
                 detail=f"{user}: homeroom {' '.join(shown)} (exit {exit_code})")
