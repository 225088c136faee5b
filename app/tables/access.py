"""Who may not see a child: restrictions on one guardian–student link (issue 11; FERPA 34 CFR 99.4, 99.5).

A link gives portal access when the SIS's flags say so (`GuardianLink.is_guardian`, `portal_access`) and
no restriction here is in force on the district's day. A restriction is in force from `starts_on` to
`ends_on` (both included; either may be open) until it is lifted; the dates count on their own, with no
nightly job (app/services/access.py holds the one SQL condition every query uses). Rows are never
deleted: lifting one stamps `lifted_at`, so the history of a link stays readable.
"""

from piccolo.columns import Date, ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.tables.accounts import UserAccount
from app.tables.people import Person


class AccessRestriction(Table, tablename="access_restriction"):
    guardian = ForeignKey(references=Person, index=True)
    student = ForeignKey(references=Person, index=True)
    reason = Varchar(length=30)  # court-order | custody-agreement | student-request | other
    reference = Varchar(length=255, default="")  # e.g. the order's case number, as staff typed it
    starts_on = Date(null=True, default=None)  # first day in force (district day); None: from now
    ends_on = Date(null=True, default=None)  # last day in force; None: until lifted
    source = Varchar(length=10, default="staff")  # staff | import: an import lifts only its own
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = ForeignKey(references=UserAccount, null=True)
    lifted_at = Timestamptz(null=True, default=None)
    lifted_by = ForeignKey(references=UserAccount, null=True)


class RestrictedAddress(Table, tablename="restricted_address"):
    """An email address a guardian had on file while their access to a child was off (issue 11): remembered
    when access is switched off, and whenever their address changes while it is off (the portal's email change,
    an import), so that changing it does not turn the shared-mailbox rule off — the old mailbox is still one
    the guardian reads. The rule (app/services/mail_access.py) counts these addresses only while the guardian's
    access to the child is off. `email` as it was on file; compared by app/rules/emails.py mailbox_key."""

    guardian = ForeignKey(references=Person, index=True)
    email = Varchar(length=320)
    noted_at = Timestamptz(default=TimestamptzNow())
    noted_how = Varchar(length=20, default="blocked")  # blocked | changed | import | migration
