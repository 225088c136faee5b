from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxEmail(Table, tablename="outbox_email"):
    """An email (or a request that leads to emails) written in the same transaction as the change that
    caused it (docs/design.md §7). What it needs to be written waits sealed in `payload` (app/mail/sealing.py);
    links and keys are minted only when it is sent, and the payload is dropped once it is sent, cancelled
    or given up: what stays is the record (kind, recipient, times, status)."""

    kind = Varchar(length=40)  # password-reset, username-reminder, ... or a request kind ending in -request
    to_address = Varchar(length=320)  # empty for a request: the mail worker finds the address on file
    language = Varchar(length=8, default="en")
    subject = Varchar(length=255)  # filled when sent
    payload = Text(null=True, default=None)  # sealed context; NULL once the message is no longer waiting
    status = Varchar(length=12, default="queued")  # queued, sent, done (a request), cancelled, failed
    created_at = Timestamptz(default=TimestamptzNow())
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)  # while claimed: the lease's end
    lease_owner = Varchar(length=40, default="")  # the sender holding the lease
    attempts = Integer(default=0)
    sent_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")


class DevMail(Table, tablename="dev_mail"):
    """Demo mode only (no SMTP relay): the dev mailbox, where the sender delivers instead of a relay, so
    the demo shows the messages (links and keys included) the way a mailbox would. Never written in
    production or test environments."""

    outbox_id = Integer(index=True)
    kind = Varchar(length=40)
    to_address = Varchar(length=320)
    subject = Varchar(length=255)
    body_text = Text()
    body_html = Text()
    delivered_at = Timestamptz(default=TimestamptzNow())
