"""Delivering the outbox over SMTP with retries and backoff (DESIGN §7).

Messages are claimed with a lease (a conditional UPDATE ... RETURNING; FOR UPDATE SKIP LOCKED on
PostgreSQL) so several senders never send one message twice; a sender that dies mid-send leaves a
lease that runs out, and the message is tried again. Nothing is lost while the relay is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from app import clock
from app.database import engine
from app.settings import Settings
from app.tables import OutboxEmail

log = logging.getLogger("homeroom.mail")

LEASE = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=15)
LONGEST_RETRY = timedelta(hours=1)
GIVE_UP_AFTER = 30  # attempts: about a day of retries at the longest interval
BATCH = 20

_CLAIM = """
UPDATE outbox_email SET attempts = attempts + 1, next_attempt_at = {}
WHERE id IN (
    SELECT id FROM outbox_email
    WHERE sent_at IS NULL AND next_attempt_at <= {} AND attempts < {}
    ORDER BY id LIMIT {} %s
)
RETURNING id, to_address, subject, body_text, body_html, attempts
"""


@dataclass(frozen=True)
class SmtpRelay:
    hostname: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool

    @classmethod
    def from_url(cls, url: str) -> "SmtpRelay":
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        implicit_tls = parts.scheme == "smtps"
        return cls(
            hostname=parts.hostname or "localhost",
            port=parts.port or (465 if implicit_tls else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=implicit_tls,
            start_tls=query.get("starttls", ["0"])[0] in ("1", "true", "yes"),
        )


def retry_delay(attempts: int) -> timedelta:
    """15 s, 30 s, 1 min, 2 min ... up to an hour between tries."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def build_message(row: dict, mail_from: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = row["to_address"]
    message["Subject"] = row["subject"]
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain=mail_from.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row["body_text"])
    message.add_alternative(row["body_html"], subtype="html")
    return message


async def _claim(now: datetime, limit: int) -> list[dict]:
    lock = "FOR UPDATE SKIP LOCKED" if engine().engine_type == "postgres" else ""
    return await OutboxEmail.raw(_CLAIM % lock, now + LEASE, now, GIVE_UP_AFTER, limit)


async def deliver_due(settings: Settings, *, limit: int = BATCH) -> int:
    """Send what is due; returns how many were sent. Failures are logged and retried later."""
    if not settings.smtp_url:
        return 0
    relay = SmtpRelay.from_url(settings.smtp_url)
    sent = 0
    for row in await _claim(clock.now(), limit):
        try:
            await aiosmtplib.send(
                build_message(row, settings.mail_from),
                hostname=relay.hostname,
                port=relay.port,
                username=relay.username,
                password=relay.password,
                use_tls=relay.use_tls,
                start_tls=relay.start_tls if relay.start_tls else False,
                timeout=20,
            )
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as error:
            log.warning("outbox message %s not delivered (attempt %s): %s", row["id"], row["attempts"],
                        type(error).__name__)
            await OutboxEmail.update(
                {
                    OutboxEmail.next_attempt_at: clock.now() + retry_delay(row["attempts"]),
                    OutboxEmail.last_error: f"{type(error).__name__}: {error}"[:500],
                }
            ).where(OutboxEmail.id == row["id"])
            continue
        await OutboxEmail.update({OutboxEmail.sent_at: clock.now(), OutboxEmail.last_error: ""}).where(
            OutboxEmail.id == row["id"]
        )
        sent += 1
    return sent


async def run_sender(settings: Settings, *, stop: asyncio.Event | None = None, idle_seconds: float = 2.0) -> None:
    """Deliver until `stop` is set: the in-process sender and `homeroom mail-worker` both run this loop."""
    stop = stop or asyncio.Event()
    while not stop.is_set():
        try:
            while not stop.is_set() and await deliver_due(settings):
                pass
        except Exception:  # the database may be restarting; try again on the next round
            log.exception("outbox delivery round failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=idle_seconds)
        except asyncio.TimeoutError:
            pass


async def stop_sender(sender: asyncio.Task, stop: asyncio.Event, *, grace_seconds: float = 10.0) -> None:
    """Let the round in progress finish, so a message the relay accepted is marked sent (cancelling between
    the two would send it again after the lease runs out); cancel only if the relay hangs."""
    stop.set()
    try:
        await asyncio.wait_for(asyncio.shield(sender), timeout=grace_seconds)
    except asyncio.TimeoutError:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
