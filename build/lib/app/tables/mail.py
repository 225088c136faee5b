from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxEmail(Table, tablename="outbox_email"):
    """An email written in the same transaction as the change that caused it (DESIGN §7)."""

    kind = Varchar(length=40)  # password-reset, username-reminder, ...
    to_address = Varchar(length=320)
    subject = Varchar(length=255)
    body_text = Text()
    body_html = Text()
    created_at = Timestamptz(default=TimestamptzNow())
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    attempts = Integer(default=0)
    sent_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
