"""Telling parents what matters (issue 12): their alert and digest preferences, the same-day absence alerts
and weekly digests decided for them (one row each, so a second run sends nothing new), and the absences
they report to the school."""

from piccolo.columns import UUID, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.table import Table

from app.tables.accounts import UserAccount
from app.tables.people import Person, School


class AlertPreference(Table, tablename="alert_preference"):
    """A guardian's choices; an account without a row has the defaults (see app/rules/alerts.py)."""

    account = ForeignKey(references=UserAccount, unique=True)
    absence_alerts = Boolean(default=True)
    digest = Boolean(default=True)
    digest_day = Integer(null=True, default=None)  # 0 Monday .. 6 Sunday; None: the district's day
    digest_missing_work = Boolean(default=True)
    digest_grades = Boolean(default=True)
    grade_threshold = Varchar(length=8, default="70%")  # a letter ("C") or a percentage ("70%")
    quiet_start = Varchar(length=5, default="")  # HH:MM in the district's time zone; both empty: none
    quiet_end = Varchar(length=5, default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class AbsenceAlert(Table, tablename="absence_alert"):
    """One guardian, one child, one district day: at most one alert (the unique key says so)."""

    key = Varchar(length=80, unique=True)  # "guardian:student:YYYY-MM-DD"
    guardian = ForeignKey(references=Person, index=True)
    account = ForeignKey(references=UserAccount)
    student = ForeignKey(references=Person, index=True)
    day = Date(index=True)
    status = Varchar(length=20, default="pending", index=True)  # pending | queued | cancelled | off
    due_at = Timestamptz()
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)


class WeeklyDigest(Table, tablename="weekly_digest"):
    """One account, one week: at most one digest (the unique key), whatever runs how often."""

    key = Varchar(length=80, unique=True)  # "account:YYYY-MM-DD" (the week's Monday)
    account = ForeignKey(references=UserAccount, index=True)
    week_of = Date(index=True)
    status = Varchar(length=20, default="pending", index=True)  # pending | queued | nothing | off
    due_at = Timestamptz()
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)


class AbsenceReport(Table, tablename="absence_report"):
    """A guardian tells the school a child is or was absent; the attendance office records it in the SIS
    or declines it with a reason."""

    public_id = UUID(default=UUID4(), unique=True)
    student = ForeignKey(references=Person, index=True)
    school = ForeignKey(references=School, index=True)
    guardian = ForeignKey(references=Person)
    account = ForeignKey(references=UserAccount)
    first_day = Date()
    last_day = Date()
    whole_day = Boolean(default=True)
    periods = Varchar(length=64, default="")  # "1,2" when not the whole day
    reason = Varchar(length=30)  # illness | medical | family | religious | other
    note = Text(default="")
    status = Varchar(length=20, default="pending", index=True)  # pending | recorded | declined
    decline_reason = Varchar(length=255, default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(references=UserAccount, null=True, default=None)
