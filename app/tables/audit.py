from piccolo.columns import ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.tables.accounts import UserAccount
from app.tables.people import Person


class AuditEvent(Table, tablename="audit_event"):
    """Append-only: the code only ever inserts into this table, and deleting a person or account it
    names is refused rather than cascading into the record of access (FERPA §99.32)."""

    at = Timestamptz(default=TimestamptzNow(), index=True)
    action = Varchar(length=60, index=True)  # login.succeeded, key.redeemed, ...
    actor = ForeignKey(references=UserAccount, null=True, index=True, on_delete=OnDelete.restrict)
    account = ForeignKey(references=UserAccount, null=True, index=True, on_delete=OnDelete.restrict)  # acted upon
    person = ForeignKey(references=Person, null=True, index=True, on_delete=OnDelete.restrict)  # who it concerns
    ip = Varchar(length=45, default="")
    detail = Text(default="")  # short, never a secret
    # Sign-in events: the browser and system ua-parser names ("Chrome", "Android"), never the User-Agent
    # header itself (app/rules/devices.py; the migration of 2026-11-30T15:00 says why).
    browser = Varchar(length=40, default="")
    system = Varchar(length=40, default="")
