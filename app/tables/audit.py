from piccolo.columns import ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.tables.accounts import UserAccount
from app.tables.people import Person


class AuditEvent(Table, tablename="audit_event"):
    """Append-only: the code only ever inserts into this table."""

    at = Timestamptz(default=TimestamptzNow(), index=True)
    action = Varchar(length=60, index=True)  # login.succeeded, key.redeemed, ...
    actor = ForeignKey(references=UserAccount, null=True, index=True)
    account = ForeignKey(references=UserAccount, null=True, index=True)  # the account acted upon
    person = ForeignKey(references=Person, null=True, index=True)  # the guardian or student concerned
    ip = Varchar(length=45, default="")
    detail = Text(default="")  # short, never a secret
