"""Delivering the outbox (docs/design.md §7): over SMTP with retries and backoff, or, in demo mode without a relay,
into the dev mailbox. The in-process sender and `homeroom mail-worker` both run `run_sender`.

Exactly once (issue 12 item 7): a sender claims ONE message at a time with a lease (a conditional UPDATE
... RETURNING; FOR UPDATE SKIP LOCKED on PostgreSQL), and just before handing it to the relay renews the
lease with a conditional UPDATE that succeeds only while it still holds it; the hand-over is then bounded
by SEND_DEADLINE, shorter than the lease, so no lease can run out while its message is with the relay,
however slow the relay. A sender that dies mid-send leaves a lease that runs out, and the message is tried
again (SMTP cannot do better than that one window).

Before anything else, the gate (MailKinds.gate; app/services/mail_access.py) looks at what a message is
about: one about a student the recipient may no longer hear about is cancelled (issue 11).
A message's keys and links are minted by its kind's preparer just before it goes (so a message that
waited out a relay outage carries a fresh link, and one whose purpose is gone is cancelled); a request
kind's handler runs in the transaction that marks the request done. The payload is dropped once the
message is sent, cancelled or given up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
from email_validator import EmailNotValidError, validate_email

from app import clock
from app.database import engine, transaction
from app.mail.outbox import is_request, render_email
from app.sealing import Unsealable, unseal
from app.services import sis_words
from app.settings import Settings
from app.tables import DevMail, OutboxEmail

log = logging.getLogger("homeroom.mail")

LEASE = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=15)
LONGEST_RETRY = timedelta(hours=1)
GIVE_UP_AFTER = 30  # attempts: about a day of retries at the longest interval
BATCH = 20  # messages per round, each claimed on its own
SMTP_TIMEOUT = 20  # seconds, per SMTP command


# Failures that say the relay cannot be reached right now (rather than that one message was refused).
_RELAY_UNREACHABLE = (OSError, asyncio.TimeoutError, aiosmtplib.SMTPConnectError,
                      aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError)


def send_deadline() -> float:
    """The longest a hand-over to the relay may take: half the lease, so a renewed lease outlives it."""
    return LEASE.total_seconds() / 2


_CLAIM = """
UPDATE outbox_email SET attempts = attempts + 1, next_attempt_at = {}, lease_owner = {}
WHERE id = (
    SELECT id FROM outbox_email
    WHERE status = 'queued' AND next_attempt_at <= {} AND attempts < {}
    ORDER BY next_attempt_at, id LIMIT 1 %s
) AND status = 'queued' AND next_attempt_at <= {}
RETURNING id, kind, to_address, language, payload, attempts
"""


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    to_address: str
    language: str
    payload: str | None
    attempts: int


# A preparer mints what the message must carry (a key, a link) just before it is sent: it returns what
# to add to the context, or None when the message should not go any more (it is then cancelled).
Preparer = Callable[[Claimed, dict[str, Any]], Awaitable[dict[str, Any] | None]]
# A request handler does a request's work inside the transaction that marks the request done.
RequestHandler = Callable[[dict[str, Any]], Awaitable[None]]
# The gate looks at every email just before it is sent, with what it is about (the payload's `about`, or
# None) and its context: it returns the context to send (perhaps with parts taken out), or None when the
# message must not go to this recipient any more (it is then cancelled, before any preparer runs).
Gate = Callable[[Claimed, dict[str, Any] | None, dict[str, Any]], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True)
class MailKinds:
    preparers: Mapping[str, Preparer] = field(default_factory=dict)
    requests: Mapping[str, RequestHandler] = field(default_factory=dict)
    gate: Gate | None = None


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


class Undeliverable(Exception):
    """This message can never be delivered as it is (not worth retrying)."""


def address_for_relay(address: str, *, smtputf8: bool) -> str:
    """The address as the relay must see it: as typed when it speaks SMTPUTF8; otherwise an international
    domain goes as IDNA (punycode), `maria@bücher.example` -> `maria@xn--bcher-kva.example` (issue 13
    item 11). A non-ASCII mailbox name cannot be written without SMTPUTF8."""
    if smtputf8 or address.isascii():
        return address
    local, _, domain = address.rpartition("@")
    if not local.isascii():
        raise Undeliverable("the relay does not offer SMTPUTF8, needed for a non-ASCII mailbox name")
    try:
        ascii_domain = validate_email(f"x@{domain}", check_deliverability=False).ascii_domain
    except EmailNotValidError as error:
        raise Undeliverable(f"the domain cannot be written in IDNA: {error}") from error
    return f"{local}@{ascii_domain}"


def build_message(*, to: str, subject: str, text: str, html: str, mail_from: str,
                  headers: Mapping[str, str] | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain=mail_from.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    headers = headers or {}
    if headers.get("list_unsubscribe"):  # RFC 8058 one-click unsubscribe (RFC 2369 List-Unsubscribe)
        targets = [f"<{headers['list_unsubscribe']}>"]
        if headers.get("list_unsubscribe_mailto"):
            targets.append(f"<mailto:{headers['list_unsubscribe_mailto']}>")
        message["List-Unsubscribe"] = ", ".join(targets)
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


class Transport(Protocol):
    async def smtputf8(self) -> bool: ...
    async def send(self, message: EmailMessage, *, to: str, outbox_id: int, kind: str) -> None: ...
    async def close(self) -> None: ...


class SmtpTransport:
    """One SMTP connection for a round of messages (connected on first use, again after a failure)."""

    def __init__(self, relay: SmtpRelay) -> None:
        self.relay = relay
        self.client: aiosmtplib.SMTP | None = None

    async def _connected(self) -> aiosmtplib.SMTP:
        if self.client is None or not self.client.is_connected:
            client = aiosmtplib.SMTP(hostname=self.relay.hostname, port=self.relay.port,
                                     username=self.relay.username, password=self.relay.password,
                                     use_tls=self.relay.use_tls,
                                     start_tls=True if self.relay.start_tls else False, timeout=SMTP_TIMEOUT)
            await client.connect()
            if client.is_ehlo_or_helo_needed:  # the extensions (SMTPUTF8) are known only after EHLO
                await client.ehlo()
            self.client = client
        return self.client

    async def smtputf8(self) -> bool:
        return (await self._connected()).supports_extension("smtputf8")

    async def send(self, message: EmailMessage, *, to: str, outbox_id: int, kind: str) -> None:
        client = await self._connected()
        await client.send_message(message, recipients=[to])

    async def close(self) -> None:
        client, self.client = self.client, None
        if client is not None and client.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, asyncio.TimeoutError):
                await asyncio.wait_for(client.quit(), timeout=5)
            if client.is_connected:
                client.close()


class DevMailboxTransport:
    """Demo mode without a relay: delivery is a row in the dev mailbox (app/tables/mail.py DevMail)."""

    async def smtputf8(self) -> bool:
        return True

    async def send(self, message: EmailMessage, *, to: str, outbox_id: int, kind: str) -> None:
        await DevMail.insert(DevMail(
            outbox_id=outbox_id, kind=kind, to_address=to, subject=str(message["Subject"]),
            body_text=message.get_body(preferencelist=("plain",)).get_content(),
            body_html=message.get_body(preferencelist=("html",)).get_content(),
            delivered_at=clock.now()))

    async def close(self) -> None:
        return None


def transport_for(settings: Settings) -> Transport | None:
    if settings.smtp_url:
        return SmtpTransport(SmtpRelay.from_url(settings.smtp_url))
    if settings.is_demo:
        return DevMailboxTransport()
    return None


def sender_id() -> str:
    return f"{socket.gethostname()[:16]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def claim_one(owner: str, now: datetime) -> Claimed | None:
    lock = "FOR UPDATE SKIP LOCKED" if engine().engine_type == "postgres" else ""
    rows = await OutboxEmail.raw(_CLAIM % lock, now + LEASE, owner, now, GIVE_UP_AFTER, now)
    if not rows:
        return None
    row = rows[0]
    return Claimed(row["id"], row["kind"], row["to_address"], row["language"] or "en", row["payload"],
                   row["attempts"])


def _held(message_id: int, owner: str):
    return (OutboxEmail.id == message_id) & (OutboxEmail.lease_owner == owner) & (OutboxEmail.status == "queued")


async def renew_lease(message_id: int, owner: str) -> bool:
    """Extend the lease if this sender still holds it; False when another sender has taken the message."""
    renewed = await OutboxEmail.update({OutboxEmail.next_attempt_at: clock.now() + LEASE}).where(
        _held(message_id, owner)).returning(OutboxEmail.id)
    return bool(renewed)


async def _finish(message: Claimed, status: str, *, subject: str = "", error: str = "") -> None:
    """Sent, cancelled or given up: the record stays, the payload goes."""
    values = {OutboxEmail.status: status, OutboxEmail.payload: None, OutboxEmail.lease_owner: "",
              OutboxEmail.last_error: error[:500]}
    if status == "sent":
        values[OutboxEmail.sent_at] = clock.now()
    if subject:
        values[OutboxEmail.subject] = subject[:255]
    await OutboxEmail.update(values).where(OutboxEmail.id == message.id)


async def _failed(message: Claimed, error: BaseException) -> None:
    text = f"{type(error).__name__}: {error}"
    if message.attempts >= GIVE_UP_AFTER or isinstance(error, (Undeliverable, Unsealable)):
        log.error("outbox message %s (%s) given up after %s attempts: %s", message.id, message.kind,
                  message.attempts, type(error).__name__)
        await _finish(message, "failed", error=text)
        return
    log.warning("outbox message %s not delivered (attempt %s): %s", message.id, message.attempts,
                type(error).__name__)
    await OutboxEmail.update({
        OutboxEmail.next_attempt_at: clock.now() + retry_delay(message.attempts),
        OutboxEmail.lease_owner: "",
        OutboxEmail.last_error: text[:500],
    }).where(OutboxEmail.id == message.id)


async def _run_request(message: Claimed, payload: dict[str, Any], kinds: MailKinds, owner: str) -> None:
    handler = kinds.requests.get(message.kind)
    if handler is None:
        raise Undeliverable(f"no handler for the request kind {message.kind!r}")
    async with transaction():
        done = await OutboxEmail.update({
            OutboxEmail.status: "done", OutboxEmail.sent_at: clock.now(), OutboxEmail.payload: None,
            OutboxEmail.lease_owner: "", OutboxEmail.last_error: "",
        }).where(_held(message.id, owner)).returning(OutboxEmail.id)
        if done:
            await handler(payload)


async def _send_email(message: Claimed, payload: dict[str, Any], kinds: MailKinds, transport: Transport,
                      settings: Settings, owner: str) -> bool:
    context = dict(payload.get("context") or {})
    if kinds.gate is not None:
        gated = await kinds.gate(message, payload.get("about"), context)
        if gated is None:
            await _finish(message, "cancelled", error="withheld: about a student this recipient may not hear about")
            return True
        context = gated
    preparer = kinds.preparers.get(message.kind)
    if preparer is not None:
        extra = await preparer(message, context)
        if extra is None:
            await _finish(message, "cancelled", error="no longer needed when its turn came")
            return True
        context.update(extra)
    await sis_words.refresh()
    subject, text, html = render_email(message.kind, context, message.language)
    to = address_for_relay(message.to_address, smtputf8=await transport.smtputf8())
    email = build_message(to=to, subject=subject, text=text, html=html, mail_from=settings.mail_from,
                          headers=payload.get("headers"))
    if not await renew_lease(message.id, owner):  # another sender took it over: it is theirs to send
        log.warning("outbox message %s: lease lost before sending; left to its new sender", message.id)
        return False
    await asyncio.wait_for(transport.send(email, to=to, outbox_id=message.id, kind=message.kind),
                           timeout=send_deadline())
    await _finish(message, "sent", subject=subject)
    return True


async def deliver_due(settings: Settings, kinds: MailKinds, *, limit: int = BATCH,
                      stop: asyncio.Event | None = None) -> int:
    """Handle up to `limit` due messages, one claim at a time; returns how many were handled (sent,
    done, cancelled, or failed and rescheduled): 0 when nothing more can be done now (nothing is due, or the
    relay cannot be reached: the round ends at the first such failure). Failures are logged and retried."""
    transport = transport_for(settings)
    if transport is None:
        return 0
    owner = sender_id()
    handled = 0
    relay_unreachable = False
    try:
        for _ in range(limit):
            if stop is not None and stop.is_set():  # between messages, never between send and "sent"
                break
            message = await claim_one(owner, clock.now())
            if message is None:
                break
            handled += 1
            try:
                payload = unseal(message.payload or "", secret_key=settings.secret_key, purpose=message.kind)
                if is_request(message.kind):
                    await _run_request(message, payload, kinds, owner)
                else:
                    await _send_email(message, payload, kinds, transport, settings, owner)
            except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError, Undeliverable, Unsealable) as error:
                await transport.close()
                await _failed(message, error)
                if isinstance(error, _RELAY_UNREACHABLE):  # the rest would fail alike: wait for the next round
                    relay_unreachable = True
                    break
            except Exception as error:  # a bug or the database: logged with its traceback, tried again later
                log.exception("outbox message %s (%s) failed", message.id, message.kind)
                await transport.close()
                await _failed(message, error)
    finally:
        await transport.close()
    return 0 if relay_unreachable else handled


async def run_sender(settings: Settings, kinds: MailKinds, *, stop: asyncio.Event | None = None,
                     idle_seconds: float = 2.0) -> None:
    """Deliver until `stop` is set: the in-process sender and `homeroom mail-worker` both run this loop."""
    stop = stop or asyncio.Event()
    while not stop.is_set():
        try:
            while not stop.is_set() and await deliver_due(settings, kinds, stop=stop):
                pass
        except Exception:  # the database may be restarting; try again on the next round
            log.exception("outbox delivery round failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=idle_seconds)
        except asyncio.TimeoutError:
            pass


async def stop_sender(sender: asyncio.Task, stop: asyncio.Event, *, grace_seconds: float = 10.0) -> None:
    """Let the message in progress finish, so one the relay accepted is marked sent (cancelling between
    the two would send it again after the lease runs out); cancel only if the relay hangs."""
    stop.set()
    try:
        await asyncio.wait_for(asyncio.shield(sender), timeout=grace_seconds)
    except asyncio.TimeoutError:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
