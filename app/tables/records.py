"""The school year (docs/design.md §4.8, §6): sessions, courses, sections, enrollments, assignments and scores,
term grades and attendance. Identifiers follow OneRoster `sourcedId`s so the importer upserts into the
same rows the portal reads."""

from piccolo.columns import Boolean, Date, Float, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.tables.accounts import UserAccount
from app.tables.people import Person, School


class AcademicSession(Table, tablename="academic_session"):
    """A school year, semester, term or grading period (OneRoster academicSessions)."""

    source_id = Varchar(length=255, unique=True)
    title = Varchar(length=255)
    kind = Varchar(length=20)  # schoolYear | semester | term | gradingPeriod
    start_date = Date()
    end_date = Date()
    parent = ForeignKey(references="self", null=True, default=None)
    school_year = Integer(index=True)  # the year the school year ends in, as OneRoster says
    status = Varchar(length=20, default="active")
    # Which import brought it: "oneroster", or "edfi" for a grading period no OneRoster session matched
    # (edfi-gp-*). A OneRoster bulk academicSessions.csv makes inactive only its own (issue 10).
    source = Varchar(length=20, default="oneroster")


class Course(Table, tablename="course"):
    source_id = Varchar(length=255, unique=True)
    title = Varchar(length=255)
    course_code = Varchar(length=64, default="")
    school = ForeignKey(references=School, null=True)
    status = Varchar(length=20, default="active")


class Section(Table, tablename="section"):
    """A class a student attends (OneRoster classes): periods, room, terms."""

    source_id = Varchar(length=255, unique=True)
    public_id = Varchar(length=36, unique=True)  # random UUID text for URLs
    title = Varchar(length=255)
    class_code = Varchar(length=64, default="")
    course = ForeignKey(references=Course, null=True)
    school = ForeignKey(references=School, index=True)
    periods = Varchar(length=64, default="")  # "1" or "1,2": as OneRoster sends it
    room = Varchar(length=64, default="")
    status = Varchar(length=20, default="active")


class SectionTerm(Table, tablename="section_term"):
    section = ForeignKey(references=Section, index=True)
    term = ForeignKey(references=AcademicSession, index=True)


class SectionEnrollment(Table, tablename="section_enrollment"):
    """A student or teacher in a section (OneRoster enrollments)."""

    source_id = Varchar(length=255, unique=True)
    section = ForeignKey(references=Section, index=True)
    person = ForeignKey(references=Person, index=True)
    role = Varchar(length=20, default="student")  # student | teacher | ...
    is_primary = Boolean(default=False)
    begin_date = Date(null=True, default=None)
    end_date = Date(null=True, default=None)
    status = Varchar(length=20, default="active")


class LineItem(Table, tablename="line_item"):
    """An assignment (OneRoster lineItems)."""

    source_id = Varchar(length=255, unique=True)
    section = ForeignKey(references=Section, index=True)
    title = Varchar(length=255)
    category = Varchar(length=120, default="")
    assign_date = Date(null=True, default=None)
    due_date = Date(null=True, default=None)
    grading_period = ForeignKey(references=AcademicSession, null=True)
    points_possible = Float(null=True, default=None)
    status = Varchar(length=20, default="active")


class Result(Table, tablename="result"):
    """A student's score on an assignment (OneRoster results), with the flags parents need."""

    source_id = Varchar(length=255, unique=True)
    line_item = ForeignKey(references=LineItem, index=True)
    student = ForeignKey(references=Person, index=True)
    score = Float(null=True, default=None)
    score_status = Varchar(length=40, default="fully graded")
    missing = Boolean(default=False)
    late = Boolean(default=False)
    exempt = Boolean(default=False)
    comment = Text(default="")
    score_date = Date(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow(), index=True)
    status = Varchar(length=20, default="active")


class TermGrade(Table, tablename="term_grade"):
    """A student's grade for a section in a term (a report-card grade)."""

    source_id = Varchar(length=255, unique=True)
    student = ForeignKey(references=Person, index=True)
    section = ForeignKey(references=Section, index=True)
    term = ForeignKey(references=AcademicSession)
    grade = Varchar(length=16, default="")
    percent = Float(null=True, default=None)
    comment = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow(), index=True)


class AttendanceEvent(Table, tablename="attendance_event"):
    """A daily or period attendance event, in Ed-Fi's categories."""

    source_id = Varchar(length=255, unique=True)
    student = ForeignKey(references=Person, index=True)
    school = ForeignKey(references=School)
    event_date = Date(index=True)
    section = ForeignKey(references=Section, null=True, default=None)
    period = Varchar(length=16, default="")  # empty for a daily event
    category = Varchar(length=30)  # present | tardy | excused-absence | unexcused-absence | early-departure
    reason = Varchar(length=255, default="")
    updated_at = Timestamptz(default=TimestamptzNow(), index=True)


class CalendarDate(Table, tablename="calendar_date"):
    """What the district said about one day at one school (or, school empty, at every school): a closure
    (holiday, break, snow day, teacher-only day: not a school day) or a school day (an instructional day,
    a make-up day on a Saturday). From Ed-Fi `calendarDates` or `homeroom import calendar`; the rule that
    reads them is app/rules/school_days.py."""

    source_id = Varchar(length=255, unique=True)  # "csv:<school sourcedId or *>:<day>", "edfi:<schoolId>:<day>"
    school = ForeignKey(references=School, null=True, default=None, index=True)  # None: the whole district
    day = Date(index=True)
    school_day = Boolean(default=False)  # False: a closure
    kind = Varchar(length=30, default="closed")  # app/rules/school_days.py KINDS
    description = Varchar(length=255, default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class Household(Table, tablename="household"):
    source_id = Varchar(length=255, unique=True)
    name = Varchar(length=255, default="")
    address_line1 = Varchar(length=255, default="")
    address_line2 = Varchar(length=255, default="")
    city = Varchar(length=120, default="")
    state = Varchar(length=40, default="")
    postal_code = Varchar(length=20, default="")


class HouseholdMember(Table, tablename="household_member"):
    household = ForeignKey(references=Household, index=True)
    person = ForeignKey(references=Person, index=True)


class ContactPhone(Table, tablename="contact_phone"):
    person = ForeignKey(references=Person, index=True)
    kind = Varchar(length=20, default="mobile")  # home | mobile | work
    number = Varchar(length=20)  # E.164, via phonenumbers
    from_sis = Boolean(default=False)  # the SIS's number for this kind (users.csv phone/sms); imports keep it
    # With from_sis: which import brought it ("oneroster" | "edfi"); each removes only its own (issue 10).
    source = Varchar(length=20, default="")


class HouseholdVerification(Table, tablename="household_verification"):
    """"This is correct": a guardian confirmed the household for a school year."""

    household = ForeignKey(references=Household, index=True)
    account = ForeignKey(references=UserAccount)
    school_year = Integer()
    verified_at = Timestamptz(default=TimestamptzNow())


class HouseholdChangeRequest(Table, tablename="household_change_request"):
    """An address change a parent asked for; staff approve or deny it (docs/design.md §4.9, §5)."""

    household = ForeignKey(references=Household, index=True)
    requested_by = ForeignKey(references=UserAccount)
    address_line1 = Varchar(length=255)
    address_line2 = Varchar(length=255, default="")
    city = Varchar(length=120)
    state = Varchar(length=40)
    postal_code = Varchar(length=20)
    status = Varchar(length=20, default="pending", index=True)  # pending | approved | denied
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(references=UserAccount, null=True)
    decision_reason = Varchar(length=255, default="")


class EmailChange(Table, tablename="email_change"):
    """A new email address waiting for its confirmation link (the old address is told)."""

    person = ForeignKey(references=Person, index=True)
    new_email = Varchar(length=320)
    token_hash = Varchar(length=64, unique=True, secret=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    confirmed_at = Timestamptz(null=True, default=None)
    superseded_at = Timestamptz(null=True, default=None)
