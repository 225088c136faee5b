"""A parent's request to correct a record (issue 11 item 3; FERPA 34 CFR 99.20): which record, as the parent
saw it, what they say is wrong, and the school's answer."""

from piccolo.columns import UUID, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.uuid import UUID4
from piccolo.table import Table

from app.tables.accounts import UserAccount
from app.tables.people import Person, School


class CorrectionRequest(Table, tablename="correction_request"):
    public_id = UUID(default=UUID4(), unique=True)
    account = ForeignKey(references=UserAccount, index=True)  # the parent who asked
    guardian = ForeignKey(references=Person)
    student = ForeignKey(references=Person, null=True, index=True)  # None for a household field
    school = ForeignKey(references=School, index=True)  # whose queue it lands in
    kind = Varchar(length=20)  # attendance | score | term-grade | household
    record_id = Integer()  # attendance_event, result, term_grade or household id
    record_text = Text()  # the record as the parent saw it when asking (it may change in the SIS later)
    message = Text()  # what the parent says is wrong
    language = Varchar(length=10, default="en")
    status = Varchar(length=20, default="open", index=True)  # open | corrected | not-changed
    created_at = Timestamptz()
    answered_at = Timestamptz(null=True, default=None)
    answered_by = ForeignKey(references=UserAccount, null=True)
    answer = Text(default="")  # the school's reason, sent to the parent
