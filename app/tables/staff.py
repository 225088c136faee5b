"""What the school office works on: key requests from parents who have no activation key (docs/design.md §4.7, §5)."""

from piccolo.columns import UUID, Boolean, ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.uuid import UUID4
from piccolo.table import Table

from app.tables.accounts import UserAccount
from app.tables.people import Person


class KeyRequest(Table, tablename="key_request"):
    """An online key request: who asked, and which of their details matched our records (yes/no).

    Never the SSN, in any form: only whether it matched."""

    public_id = UUID(default=UUID4(), unique=True)
    requester_name = Varchar(length=255)
    relationship = Varchar(length=80)
    requester_email = Varchar(length=320)  # as typed (normalised): used only for the neutral denial email
    requester_phone = Varchar(length=20)  # E.164
    language = Varchar(length=10, default="en")
    student_number = Varchar(length=64)  # as typed, so staff can look for a student who was not found
    student = ForeignKey(references=Person, null=True, index=True)
    guardian = ForeignKey(references=Person, null=True)  # the guardian whose email on file matched, or chosen by staff
    matched_student_number = Boolean(default=False)
    matched_ssn = Boolean(default=False)
    ssn_withheld = Boolean(default=False)  # "no SSN, or I prefer not to give it": staff decide (issue 13 item 3)
    matched_birth_date = Boolean(default=False)
    matched_email_on_file = Boolean(default=False)
    status = Varchar(length=20, default="pending", index=True)  # pending | approved | denied | auto-issued
    ip = Varchar(length=45, default="")
    created_at = Timestamptz(index=True)
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(references=UserAccount, null=True)
    decision_reason = Varchar(length=255, default="")
