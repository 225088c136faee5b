""""Ask the school to correct this" (issue 11 item 3; FERPA 34 CFR 99.20).

From a records page a parent points at one record — an attendance event, an assignment score, a term grade,
or a household field — and says what is wrong. The request lands in the queue of the student's school with
the record attached as the parent saw it; staff answer "corrected in the SIS" or "not changed" with a
reason, and the parent is emailed the answer — unless they may no longer see the student (app/services/
access.py), in which case nothing about the student is sent.

Every function starts from the signed-in guardian and the student's public id: a student the guardian may
not see, or a record that is not that student's, is None, like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from app import clock
from app.database import transaction
from app.i18n import format_day, gettext, translate
from app.rules.bidi import isolated
from app.mail.outbox import About, enqueue_email
from app.rules.errors import N_, FieldError
from app.services import audit, rate_limits
from app.services.household import home_household_of
from app.services.mail_access import withheld_students
from app.services.sis_words import refresh as refresh_sis_words, sis_word
from app.services.preferences import load_preferences
from app.services.records import Reader, access_day_of, linked_student
from app.services.staff_scope import sees_all_schools, within
from app.tables import (AttendanceEvent, CorrectionRequest, Household, Person, Result,
                        SchoolEnrollment, TermGrade, UserAccount)
from app.rules.numbers import whole_number

KINDS = {
    "attendance": N_("An attendance record"),
    "score": N_("An assignment score"),
    "term-grade": N_("A term grade"),
    "household": N_("Household information"),
}
OUTCOMES = {"corrected": N_("Corrected in the student information system"), "not-changed": N_("Not changed")}
MESSAGE_MIN, MESSAGE_MAX = 5, 1000
REQUESTS_PER_DAY = 20  # per account: enough for a real family, not a flood for the office
LARGEST_ID = 2**31 - 1
ATTENDANCE_WORDS = {"present": N_("Present"), "tardy": N_("Tardy"), "excused-absence": N_("Excused absence"),
                    "unexcused-absence": N_("Unexcused absence"), "early-departure": N_("Early departure")}


@dataclass(frozen=True)
class Choice:
    record_id: int
    text: str  # the record as the parent reads it, in their language (kept with the request as they saw it)
    school_id: int


@dataclass(frozen=True)
class CorrectionForm:
    kind: str
    student: object | None  # records.Student, or None for the household
    choices: list[Choice]


@dataclass(frozen=True)
class CorrectionSent:
    errors: list[FieldError] = field(default_factory=list)
    school_name: str = ""


def _attendance_text(row: dict) -> str:
    """An attendance record as the parent reads it, in the current language (the day by the portal's one
    date rule)."""
    what = gettext(ATTENDANCE_WORDS.get(row["category"], row["category"]))
    if row["period"]:
        where = translate(N_("Period %(period)s"), {"period": row["period"]}) + (
            f" ({isolated(row['course'])})" if row.get("course") else "")
    else:
        where = gettext("the whole day")
    reason = f" — {isolated(sis_word('absence-reason', row['reason']))}" if row["reason"] else ""
    return f"{format_day(row['event_date'])}, {where}: {what}{reason}"


def _score_text(row: dict) -> str:
    if row["missing"]:
        outcome = gettext("missing")
    elif row["exempt"]:
        outcome = gettext("Exempt")
    elif row["score"] is not None and row["possible"]:
        outcome = translate(N_("%(score)s out of %(possible)s"), {"score": f"{row['score']:g}",
                                                               "possible": f"{row['possible']:g}"})
    elif row["score"] is not None:
        outcome = f"{row['score']:g}"
    else:
        outcome = gettext("Not graded yet")
    due = " (" + translate(N_("due %(day)s"), {"day": format_day(row["due"])}) + ")" if row["due"] else ""
    return f"{isolated(row['course'])}: {isolated(row['title'])}{due}: {outcome}" + (
        ", " + gettext("late") if row["late"] else "")


async def _choices(kind: str, student_id: int, household_id: int | None) -> list[Choice]:
    """The records of this kind that belong to the student (or the guardian's household), newest first."""
    await refresh_sis_words()
    if kind == "attendance":
        rows = await AttendanceEvent.select(
            AttendanceEvent.id, AttendanceEvent.event_date, AttendanceEvent.period, AttendanceEvent.category,
            AttendanceEvent.reason, AttendanceEvent.school, AttendanceEvent.section.course.title.as_alias("course"),
        ).where((AttendanceEvent.student == student_id) & (AttendanceEvent.category != "present")).order_by(
            AttendanceEvent.event_date, ascending=False).limit(200)
        return [Choice(r["id"], _attendance_text(r), r["school"]) for r in rows]
    if kind == "score":
        rows = await Result.select(
            Result.id, Result.score, Result.missing, Result.late, Result.exempt,
            Result.line_item.title.as_alias("title"), Result.line_item.points_possible.as_alias("possible"),
            Result.line_item.due_date.as_alias("due"), Result.line_item.section.school.as_alias("school"),
            Result.line_item.section.course.title.as_alias("course"),
        ).where((Result.student == student_id) & (Result.status == "active")).order_by(
            Result.line_item.due_date, ascending=False).limit(300)
        return [Choice(r["id"], _score_text(r), r["school"]) for r in rows]
    if kind == "term-grade":
        rows = await TermGrade.select(
            TermGrade.id, TermGrade.grade, TermGrade.percent, TermGrade.term.title.as_alias("term"),
            TermGrade.section.school.as_alias("school"), TermGrade.section.course.title.as_alias("course"),
            TermGrade.section.title.as_alias("section"),
        ).where(TermGrade.student == student_id).order_by(TermGrade.term.start_date, ascending=False).limit(200)
        return [Choice(r["id"], f"{isolated(sis_word('term', r['term']))}, {isolated(r['course'] or r['section'])}: "
                                f"{isolated(r['grade']) or '—'}"
                       + (f" ({r['percent']:g}%)" if r["percent"] is not None else ""), r["school"]) for r in rows]
    if kind == "household" and household_id is not None:
        home = await Household.select().where(Household.id == household_id).first()
        address = ", ".join(p for p in (home["address_line1"], home["address_line2"], home["city"], home["state"],
                                        home["postal_code"]) if p)
        return [Choice(household_id, translate(N_("Household address: %(address)s"),
                                               {"address": address or gettext("none on file")}), 0)]
    return []


async def correction_form(reader: Reader, public_id: str, kind: str) -> CorrectionForm | None:
    """The records a parent can point at on one of the student's pages; None: not their student or no
    such kind."""
    if kind not in KINDS or kind == "household":
        return None
    student = await linked_student(reader, public_id)
    if student is None:
        return None
    return CorrectionForm(kind, student, await _choices(kind, student.id, None))


async def household_correction_form(reader: Reader) -> CorrectionForm | None:
    """The household field a parent can point at: the address of the home the household page shows them
    (never a child's other home, nor one they are listed at only through a child whose access is off)."""
    household_id = await home_household_of(reader.guardian_id)
    if household_id is None:
        return None
    return CorrectionForm("household", None, await _choices("household", 0, household_id))


async def _household_school(reader: Reader) -> int | None:
    """A household field goes to the school of the guardian's first child they may see."""
    from app.services.eligibility import portal_students_of

    students = await portal_students_of(reader.guardian_id, await access_day_of(reader))
    if not students:
        return None
    row = await SchoolEnrollment.select(SchoolEnrollment.school).where(
        (SchoolEnrollment.student == students[0]["student_id"]) & (SchoolEnrollment.status == "active")).order_by(
        SchoolEnrollment.id).first()
    return row["school"] if row else None


def _message_errors(typed: str) -> tuple[str, list[FieldError]]:
    message = typed.strip().replace("\r\n", "\n")
    if len(message) < MESSAGE_MIN:
        return message, [FieldError("message", N_("Say what is wrong and what it should be"))]
    if len(message) > MESSAGE_MAX:
        return message, [FieldError("message", N_("Use at most %(max)d characters"), {"max": MESSAGE_MAX})]
    return message, []


async def request_correction(reader: Reader, form: CorrectionForm, record: str, typed_message: str, *,
                             language: str) -> CorrectionSent:
    """Record the request for the school's queue. The record must be one of the form's choices."""
    number = whole_number(record)
    chosen = next((c for c in form.choices if number is not None and c.record_id == number), None)
    errors = [] if chosen else [FieldError("record", N_("Choose the record that is wrong"))]
    message, message_errors = _message_errors(typed_message)
    errors += message_errors
    school_id = (chosen.school_id or await _household_school(reader)) if chosen else None
    if chosen and not school_id:
        errors.append(FieldError("record", N_("None of your students is enrolled now: call the school")))
    if errors:
        return CorrectionSent(errors=errors)
    now = clock.now()
    tally = await rate_limits.hit(f"corrections:{reader.account_id}", now + timedelta(days=1))
    if tally.count > REQUESTS_PER_DAY:
        return CorrectionSent(errors=[FieldError("message", N_(
            "You have sent many requests today. Call the school, or try again tomorrow"))])
    async with transaction():
        request = CorrectionRequest(
            account=reader.account_id, guardian=reader.guardian_id,
            student=form.student.id if form.student else None, school=school_id, kind=form.kind,
            record_id=chosen.record_id, record_text=chosen.text[:1000], message=message, language=language,
            status="open", created_at=now)
        await request.save()
        await audit.record("correction.requested", actor=reader.account_id, account=reader.account_id,
                           person=form.student.id if form.student else reader.guardian_id, ip=reader.ip,
                           detail=f"kind={form.kind} record={chosen.record_id}")
    from app.tables import School

    school = await School.select(School.name).where(School.id == school_id).first()
    return CorrectionSent(school_name=school["name"] if school else "")


# --- the school's queue --------------------------------------------------------------------------------

def _in_scope(staff):
    return None if sees_all_schools(staff) else CorrectionRequest.school == staff.school_id


def _columns():
    return (CorrectionRequest.all_columns(),
            CorrectionRequest.student.given_name.as_alias("student_given_name"),
            CorrectionRequest.student.family_name.as_alias("student_family_name"),
            CorrectionRequest.student.public_id.as_alias("student_public_id"),
            CorrectionRequest.guardian.given_name.as_alias("guardian_given_name"),
            CorrectionRequest.guardian.family_name.as_alias("guardian_family_name"),
            CorrectionRequest.guardian.public_id.as_alias("guardian_public_id"),
            CorrectionRequest.school.name.as_alias("school_name"),
            CorrectionRequest.answered_by.username.as_alias("answered_by_username"))


async def open_corrections(staff) -> list[dict]:
    query = CorrectionRequest.select(*_columns()).where(CorrectionRequest.status == "open").order_by(
        CorrectionRequest.created_at)
    return await within(query, _in_scope(staff))


async def correction_for_staff(staff, public_id: UUID) -> dict | None:
    query = CorrectionRequest.select(*_columns()).where(CorrectionRequest.public_id == public_id)
    return await within(query, _in_scope(staff)).first()


@dataclass(frozen=True)
class Answer:
    done: bool = False
    emailed: bool = False
    errors: list[FieldError] = field(default_factory=list)


async def answer_correction(staff, public_id: UUID, outcome: str, typed_reason: str, *, ip: str) -> Answer | None:
    """Record the school's answer and email it to the parent (in their language) — only while they may
    still see the student. None: no such request in the staff member's scope."""
    request = await correction_for_staff(staff, public_id)
    if request is None:
        return None
    errors = [] if outcome in OUTCOMES else [FieldError("outcome", N_("Choose what the school did"))]
    reason = " ".join(typed_reason.split())
    if outcome == "not-changed" and len(reason) < MESSAGE_MIN:
        errors.append(FieldError("reason", N_("Say why the record stays as it is: the parent reads this")))
    if len(reason) > MESSAGE_MAX:
        errors.append(FieldError("reason", N_("Use at most %(max)d characters"), {"max": MESSAGE_MAX}))
    if errors:
        return Answer(errors=errors)
    prefs = await load_preferences()
    now = clock.now()
    emailed = False
    async with transaction():
        claimed = await CorrectionRequest.update({
            CorrectionRequest.status: outcome, CorrectionRequest.answered_at: now,
            CorrectionRequest.answered_by: staff.id, CorrectionRequest.answer: reason,
        }).where((CorrectionRequest.id == request["id"]) & (CorrectionRequest.status == "open")).returning(
            CorrectionRequest.id)
        if not claimed:
            return Answer(errors=[FieldError("outcome", N_("This request has already been answered"))])
        parent = await Person.select(Person.email).where(Person.id == request["guardian"]).first()
        account = await UserAccount.select(UserAccount.language, UserAccount.disabled).where(
            UserAccount.id == request["account"]).first()
        # The sender's own rule (app/services/mail_access.py), so staff are told truly whether it goes: the
        # parent may still see the student, and no guardian whose access is off shares the address.
        allowed = parent and parent["email"] and (request["student"] is None or not await withheld_students(
            request["guardian"], [request["student"]], parent["email"]))
        if parent and parent["email"] and account and not account["disabled"] and allowed:
            await enqueue_email("correction-answered", parent["email"], {
                "portal_name": prefs.portal_name, "district_name": prefs.district_name,
                "help_phone": prefs.help_phone, "outcome": outcome, "reason": reason,
                # A household request is about the guardian's own household, not a child, so it is not tied to
                # one: its answer names no school (the one answering is a child's, who may since be hidden from
                # this guardian: issue 11) and is signed by the district.
                "record": request["record_text"], "school_name": request["school_name"] if request["student"] else "",
                "student_name": f"{request['student_given_name']} {request['student_family_name']}"
                if request["student"] else "",
            }, language=account["language"] or request["language"],
                about=About(request["guardian"], (request["student"],) if request["student"] else ()))
            emailed = True
        await audit.record(f"correction.{outcome}", actor=staff.id, account=request["account"],
                           person=request["student"] or request["guardian"], ip=ip,
                           detail=f"request={public_id} emailed={'yes' if emailed else 'no'}")
    return Answer(done=True, emailed=emailed)
