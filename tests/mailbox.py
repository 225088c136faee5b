"""A real SMTP server for the tests (docs/quality.md §1): aiosmtpd on 127.0.0.1:SMTP_PORT, where
HOMEROOM_SMTP_URL points. It keeps every message it receives, parsed by the email package."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class ReceivedMail:
    envelope_from: str
    envelope_to: tuple[str, ...]
    message: EmailMessage

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()


class Mailbox:
    """The aiosmtpd handler: stores what arrives. The SMTP server runs in its own thread."""

    def __init__(self, *, delay: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._messages: list[ReceivedMail] = []
        self._read = 0
        self.delay = delay  # seconds before each message is accepted: a slow relay

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._lock:
            self._messages.append(ReceivedMail(envelope.mail_from, tuple(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()
            self._read = 0

    def unread(self) -> list[ReceivedMail]:
        """Messages received since the last call (or since clear())."""
        with self._lock:
            new = self._messages[self._read:]
            self._read = len(self._messages)
            return new


class SmtpServer:
    """Start, stop (to play a relay that is down) and start again on the same port."""

    def __init__(self, port: int, *, delay: float = 0.0, smtputf8: bool = False) -> None:
        self.port = port
        self.mailbox = Mailbox(delay=delay)
        self.smtputf8 = smtputf8  # aiosmtpd offers SMTPUTF8 only when asked: a plain relay by default
        self._controller: Controller | None = None

    def start(self) -> None:
        if self._controller is None:
            self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port,
                                          enable_SMTPUTF8=self.smtputf8)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None


async def deliver_outbox(mailbox: Mailbox) -> list[ReceivedMail]:
    """Run the portal's SMTP sender once over everything due and return what the server newly received."""
    from app.services.outgoing_mail import deliver_due
    from app.settings import get_settings

    while await deliver_due(get_settings()):
        pass
    return mailbox.unread()
