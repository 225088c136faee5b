"""Changes made in the portal that the SIS has to load (issue 10 item 4): a parent's confirmed email or
phone, an address staff approved. The import keeps them over older SIS values until the SIS sends the new
value or a newer one (app/rules/sis_sync.py), and the household export lists them."""

from piccolo.columns import ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.tables.accounts import UserAccount
from app.tables.people import Person
from app.tables.records import Household


class PortalChange(Table, tablename="portal_change"):
    person = ForeignKey(references=Person, null=True, default=None, index=True)  # email, phones
    household = ForeignKey(references=Household, null=True, default=None, index=True)  # address
    field = Varchar(length=20)  # email | phone:mobile | phone:home | phone:work | address
    value = Text(default="")  # the new value: email, E.164 phone ("" removed), address lines joined by "\n"
    previous = Text(default="")  # the value on file before the change
    changed_at = Timestamptz(default=TimestamptzNow(), index=True)
    changed_by = ForeignKey(references=UserAccount, null=True, default=None)  # the parent, or the staff member
    how = Varchar(length=20, default="confirmed")  # confirmed (by the parent) | approved (by staff)
    settled_at = Timestamptz(null=True, default=None)  # the SIS caught up or sent a newer value
    settled_how = Varchar(length=20, default="")  # sis-caught-up | sis-newer
