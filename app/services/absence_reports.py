"""Report an absence (issue 12 item 5): a guardian tells the school that a child is or was absent; the
report waits in the attendance office's queue (school staff see their own school's, district admins all);
staff mark it recorded in the SIS or decline it with a reason; the guardian is emailed a confirmation and
then the outcome; `homeroom export absence-reports` hands the reports to the SIS as attendance events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import TextIO
from zoneinfo import ZoneInfo

from app import clock, i18n
from app.csv_files import write_csv
from app.database import hold_row, transaction
from app.i18n import ShownDay
from app.mail.outbox import About, enqueue_email
from app.rules.alerts import REASON_NAMES, AbsenceReportTyped, check_absence_report, overlaps, period_key
from app.rules.errors import N_, FieldError
from app.rules.key_requests import decision_reason_errors
from app.services import audit, rate_limits, records
from app.services.alert_common import email_context, guardian_language, student_url
from app.services.preferences import load_preferences
from app.services.school_calendar import load_calendar, schools_of, what_the_day_was
from app.services.sessions import SignedInAccount
from app.services.staff_scope import sees_all_schools, within
from app.tables import AbsenceReport, SchoolEnrollment, SectionEnrollment, UserAccount
from app.rules.numbers import period_order

RECEIVED, RECORDED, DECLINED = "absence-report-received", "absence-report-recorded", "absence-report-declined"


@dataclass(frozen=True)
class ReportWindow:
    earliest: date
    latest: date


async def report_window(today: date) -> ReportWindow:
    prefs = await load_preferences()
    return ReportWindow(today - timedelta(days=prefs.absence_report_days_back),
                        today + timedelta(days=prefs.absence_report_days_ahead))


# A guardian's reports a day, every child together: a family reports a few; a flood of distinct reports would
# bury other families' in the office's queue (an attacker's find). Only reports that would be stored count.
REPORTS_PER_ACCOUNT = 20
REPORTS_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class Submitted:
    report_id: uuid.UUID | None = None
    errors: list[FieldError] = field(default_factory=list)


async def submit_report(reader: records.Reader, public_id: str, typed: dict[str, str]) -> Submitted | None:
    """None when the guardian may not see this student (the same 404 as the records pages)."""
    student = await records.linked_student(reader, public_id)
    if student is None:
        return None
    prefs = await load_preferences()
    checked, errors = check_absence_report(typed, reader.today, prefs.absence_report_days_back,
                                           prefs.absence_report_days_ahead)
    if errors:  # a day in a message as its reader reads days ("Mon, Nov 16"), not 2026-11-16
        return Submitted(errors=[FieldError(e.field, e.message, {name: ShownDay.of(value) if isinstance(value, date)
                                                                 else value for name, value in e.params.items()})
                                 for e in errors])
    checked, days, errors = await school_days_reported(student.id, checked)
    if errors:
        return Submitted(errors=errors)
    school = await SchoolEnrollment.select(SchoolEnrollment.school).where(
        (SchoolEnrollment.student == student.id) & (SchoolEnrollment.status == "active")).order_by(
        SchoolEnrollment.id).first()
    guardian = await _guardian(reader.account_id)
    report_id = uuid.uuid4()
    async with transaction():
        # The check and the insert as one: a burst of the same report sent at once stored all 60 on SQLite
        # and 6 on PostgreSQL (an attacker's find). SQLite's transaction holds the write lock from its start; on
        # PostgreSQL the student's row is locked, so reports about one child are taken one at a time.
        await hold_row("person", student.id)
        # The same report sent twice in a moment (a double tap without JavaScript): the second answer is the first's,
        # not "already reported", which the browser would show last for a report that went through (a tester's find).
        if just_sent := await _just_sent(reader.account_id, student.id, checked):
            return Submitted(report_id=just_sent)
        if repeated := await _reported_already(student.id, checked):
            return Submitted(errors=[repeated])
        # Counted once it would be stored: a double tap or a repeat refused above does not use the day's
        # reports up (a retester's find).
        sent = await rate_limits.hit(f"absence-report:account:{reader.account_id}", clock.now() + REPORTS_WINDOW)
        if sent.count > REPORTS_PER_ACCOUNT:
            return Submitted(errors=[FieldError("first_day", N_(
                "You have sent %(num)d absence reports in the last day, the most the portal takes: call the school "
                "to report more"), {"num": REPORTS_PER_ACCOUNT})])
        await AbsenceReport.insert(AbsenceReport(
            public_id=report_id, student=student.id, school=school["school"], guardian=reader.guardian_id,
            account=reader.account_id, first_day=checked.first_day, last_day=checked.last_day,
            whole_day=checked.whole_day, periods=",".join(checked.periods), reason=checked.reason,
            note=checked.note, status="pending", created_at=clock.now()))
        await audit.record("absence-report.submitted", actor=reader.account_id, person=student.id, ip=reader.ip,
                           detail=f"{checked.first_day}..{checked.last_day} {checked.reason}")
        if guardian["email"]:
            await enqueue_email(RECEIVED, guardian["email"], {**_email(prefs, student.given_name, student.public_id,
                                                                       checked), "school_days": days},
                                language=guardian["language"], about=About(reader.guardian_id, (student.id,)))
    return Submitted(report_id=report_id)


# Report an absence on days that are not school days, or for periods the child does not have: refused with
# a message that says why (nothing stored). A range of days is accepted when at least one of its days is a
# school day (a week's illness from Friday to Tuesday is one report); its school days are what the office is
# told and what the SIS export lists. The first and the last day must be in the school year.
_PERIODS_OF = """
SELECT DISTINCT sec.periods FROM section_enrollment se JOIN section sec ON sec.id = se.section
WHERE se.person = {} AND se.role = 'student' AND se.status = 'active' AND sec.status = 'active'
  AND (NOT EXISTS (SELECT 1 FROM section_term st WHERE st.section = sec.id)
       OR EXISTS (SELECT 1 FROM section_term st JOIN academic_session a ON a.id = st.term
                  WHERE st.section = sec.id AND a.start_date <= {} AND a.end_date >= {}))
"""


async def suggested_day(student_id: int, today: date) -> date:
    """The day the form starts with: today when it is a school day for the child, else the next school day
    the district lets a report reach (Sunday evening: Monday), else the last one it lets it go back to,
    else today."""
    window = await report_window(today)
    calendar = await load_calendar(window.earliest, window.latest)
    schools = (await schools_of([student_id]))[student_id]
    ahead = calendar.school_days(today, window.latest, schools)
    if ahead:
        return ahead[0]
    behind = calendar.school_days(window.earliest, today, schools)
    return behind[-1] if behind else today


async def school_days_reported(student_id: int, report: AbsenceReportTyped
                               ) -> tuple[AbsenceReportTyped, list[date], list[FieldError]]:
    """The report with its periods as the SIS writes them, and the school days it covers; or the errors that say
    why it cannot be taken."""
    calendar = await load_calendar(report.first_day, report.last_day)
    schools = (await schools_of([student_id]))[student_id]
    errors: list[FieldError] = []
    for name, day in (("first_day", report.first_day), ("last_day", report.last_day)):
        why = calendar.why_not(day, schools)
        if why is not None and why.why in ("before-year", "after-year") and (name == "first_day" or
                                                                            day != report.first_day):
            errors.append(_not_a_school_day(name, day, why))
    if errors:
        return report, [], errors
    days = calendar.school_days(report.first_day, report.last_day, schools)
    if not days:
        if report.first_day == report.last_day:
            return report, [], [_not_a_school_day("first_day", report.first_day,
                                                  calendar.why_not(report.first_day, schools))]
        return report, [], [FieldError("first_day", N_("None of the days from %(first)s to %(last)s is a school day"),
                                       {"first": ShownDay.of(report.first_day), "last": ShownDay.of(report.last_day)})]
    if not report.whole_day:
        offered = set()
        for row in await SectionEnrollment.raw(_PERIODS_OF, student_id, report.last_day, report.first_day):
            offered |= {p.strip() for p in (row["periods"] or "").split(",") if p.strip()}
        # Each typed period as the SIS writes it ("6th" or "p6" is the SIS's "6", "1a" its "1A"): what is stored,
        # exported and compared with earlier reports.
        by_key = {period_key(p): p for p in sorted(offered)}
        unknown = [p for p in report.periods if period_key(p) not in by_key]
        if not unknown:
            report = replace(report, periods=tuple(dict.fromkeys(by_key[period_key(p)] for p in report.periods)))
        if unknown and not offered:
            errors.append(FieldError("periods", N_("Homeroom has no class periods on this child's schedule: report "
                                                   "the whole day, and name the classes in the note")))
        elif unknown:
            shown = sorted(offered, key=lambda p: period_order(p, unnumbered=10**6))
            errors.append(FieldError("periods", N_("Not on this child's schedule: %(periods)s (the periods are "
                                                   "%(offered)s)"),
                                     {"periods": ", ".join(unknown), "offered": ", ".join(shown)}))
    return report, days, errors


JUST_SENT = timedelta(minutes=2)


async def _just_sent(account_id: int, student_id: int, report: AbsenceReportTyped) -> uuid.UUID | None:
    """The public id of the same report (every field alike) this account sent about this child in the last two
    minutes and still waiting, if there is one."""
    row = await AbsenceReport.select(AbsenceReport.public_id).where(
        (AbsenceReport.account == account_id) & (AbsenceReport.student == student_id)
        & (AbsenceReport.status == "pending") & (AbsenceReport.created_at >= clock.now() - JUST_SENT)
        & (AbsenceReport.first_day == report.first_day) & (AbsenceReport.last_day == report.last_day)
        & (AbsenceReport.whole_day == report.whole_day) & (AbsenceReport.periods == ",".join(report.periods))
        & (AbsenceReport.reason == report.reason) & (AbsenceReport.note == report.note)).first()
    return row["public_id"] if row else None


async def _reported_already(student_id: int, report: AbsenceReportTyped) -> FieldError | None:
    """A report that says again what a report still waiting or recorded says (by this guardian or another of
    the child's: both may see the child's attendance, and the office would get the same absence twice; a
    parent tester's find) is refused, naming every earlier report it meets (its days, and its periods when not
    the whole day), not whose it was. A declined report does not count. Called inside the transaction that
    stores the report, with the student's reports locked (submit_report)."""
    earlier = await AbsenceReport.select(
        AbsenceReport.first_day, AbsenceReport.last_day, AbsenceReport.whole_day, AbsenceReport.periods).where(
        (AbsenceReport.student == student_id) & AbsenceReport.status.is_in(["pending", "recorded"])
        & (AbsenceReport.first_day <= report.last_day) & (AbsenceReport.last_day >= report.first_day)).order_by(
        AbsenceReport.first_day)
    met = [row for row in earlier
           if overlaps(report, row["first_day"], row["last_day"], row["whole_day"], row["periods"])]
    if not met:
        return None
    reported = "; ".join(_reported_as(row) for row in met)
    # "Other periods" only where other periods would be taken: periods asked for, and none of the earlier
    # reports met is for the whole day (a retester's find: after a whole-day report every period is refused).
    if report.whole_day or any(row["whole_day"] for row in met):
        return FieldError("first_day", N_("Already reported for this child, by you or another of the child's "
                                          "guardians: %(reported)s. Report only other days, or call the school to "
                                          "change a report."), {"reported": reported})
    return FieldError("periods", N_("Already reported for this child, by you or another of the child's guardians: "
                                    "%(reported)s. Report only other periods or days, or call the school to change "
                                    "a report."), {"reported": reported})


def _reported_as(row: dict) -> str:
    """An earlier report in the reader's words: "Wed, Dec 2", "Mon, Dec 7 – Wed, Dec 9", "Wed, Dec 2, periods 1, 2"."""
    first, last = ShownDay.of(row["first_day"]), ShownDay.of(row["last_day"])
    days = str(first) if first == last else f"{first} – {last}"
    if row["whole_day"]:
        return days
    periods = [p for p in row["periods"].split(",") if p]
    return f"{days}, " + i18n.ngettext("period %(periods)s", "periods %(periods)s", len(periods)) % {
        "periods": ", ".join(periods)}


def _not_a_school_day(name: str, day: date, why) -> FieldError:
    shown = ShownDay.of(day)
    if why.why == "weekend":
        return FieldError(name, N_("%(day)s is a weekend day, not a school day"), {"day": shown})
    if why.why == "closed":
        return FieldError(name, N_("%(day)s is not a school day (%(what)s)"), {"day": shown, "what": what_the_day_was(why)})
    if why.why == "after-year":
        return FieldError(name, N_("%(day)s is after the school year ends (%(last)s)"),
                          {"day": shown, "last": ShownDay.of(why.year_last)})
    return FieldError(name, N_("%(day)s is before the school year starts (%(first)s)"),
                      {"day": shown, "first": ShownDay.of(why.year_first)})


async def _guardian(account_id: int) -> dict:
    row = await UserAccount.select(UserAccount.language, UserAccount.person.email.as_alias("email"),
                                   UserAccount.person.language.as_alias("sis_language")).where(
        UserAccount.id == account_id).first()
    return {"email": row["email"], "language": guardian_language(row["language"], row["sis_language"])}


def _email(prefs, given_name: str, public_id: str, report: AbsenceReportTyped | dict, reason: str = "") -> dict:
    get = (lambda k: report[k]) if isinstance(report, dict) else (lambda k: getattr(report, k))
    periods = get("periods")
    return {**email_context(prefs), "student": given_name, "first_day": get("first_day"),
            "last_day": get("last_day"), "whole_day": get("whole_day"),
            "periods": ", ".join(periods) if isinstance(periods, tuple) else periods.replace(",", ", "),
            "reason_name": REASON_NAMES[get("reason")], "note": get("note"), "decline_reason": reason,
            "attendance_url": student_url(public_id, "attendance"),
            "reports_url": student_url(public_id, "absence-reports")}


async def reports_of(reader: records.Reader, public_id: str) -> tuple[records.Student, list[dict], list[dict]] | None:
    """The reports this guardian made for the child, newest first; and those the child's other guardians made that
    are waiting or recorded (their days, periods and state only: not their reason, their note, nor whose), which a
    report of the same days is refused for (a tester's find: "already reported" named days the list did not show)."""
    student = await records.linked_student(reader, public_id)
    if student is None:
        return None
    rows = await AbsenceReport.select(
        AbsenceReport.public_id, AbsenceReport.first_day, AbsenceReport.last_day, AbsenceReport.whole_day,
        AbsenceReport.periods, AbsenceReport.reason, AbsenceReport.note, AbsenceReport.status,
        AbsenceReport.decline_reason, AbsenceReport.created_at,
    ).where((AbsenceReport.student == student.id) & (AbsenceReport.account == reader.account_id)).order_by(
        AbsenceReport.created_at, ascending=False).limit(50)
    others = await AbsenceReport.select(
        AbsenceReport.first_day, AbsenceReport.last_day, AbsenceReport.whole_day, AbsenceReport.periods,
        AbsenceReport.status,
    ).where((AbsenceReport.student == student.id) & (AbsenceReport.account != reader.account_id)
            & AbsenceReport.status.is_in(["pending", "recorded"])).order_by(
        AbsenceReport.created_at, ascending=False).limit(50)
    return student, rows, others


# ---- The attendance office ----

_COLUMNS = (
    AbsenceReport.id, AbsenceReport.public_id, AbsenceReport.first_day, AbsenceReport.last_day,
    AbsenceReport.whole_day, AbsenceReport.periods, AbsenceReport.reason, AbsenceReport.note, AbsenceReport.status,
    AbsenceReport.decline_reason, AbsenceReport.created_at, AbsenceReport.decided_at,
    AbsenceReport.student.given_name.as_alias("given_name"),
    AbsenceReport.student.family_name.as_alias("family_name"),
    AbsenceReport.student.student_number.as_alias("student_number"),
    AbsenceReport.student.public_id.as_alias("student_public_id"),
    AbsenceReport.school.name.as_alias("school_name"),
    AbsenceReport.guardian.given_name.as_alias("guardian_given_name"),
    AbsenceReport.guardian.family_name.as_alias("guardian_family_name"),
    AbsenceReport.decided_by.username.as_alias("decided_by"),
)


def _scope(staff: SignedInAccount):
    """School staff see their own school's reports; district admins every school's."""
    if sees_all_schools(staff):
        return None
    return AbsenceReport.school == (staff.school_id or -1)


def _scoped(query, staff: SignedInAccount):
    return within(query, _scope(staff))


QUEUE_SHOWN = 500


async def pending_reports(staff: SignedInAccount) -> tuple[list[dict], bool]:
    """The reports waiting in this staff member's scope, earliest day first (at most QUEUE_SHOWN), and whether
    more wait than are shown (the page says so: a queue cut without a word hid reports, an attacker's find)."""
    rows = await _scoped(AbsenceReport.select(*_COLUMNS).where(AbsenceReport.status == "pending"), staff).order_by(
        AbsenceReport.first_day).order_by(AbsenceReport.id).limit(QUEUE_SHOWN + 1)
    return rows[:QUEUE_SHOWN], len(rows) > QUEUE_SHOWN


async def report_for_staff(staff: SignedInAccount, public_id: uuid.UUID) -> dict | None:
    return await _scoped(AbsenceReport.select(*_COLUMNS).where(AbsenceReport.public_id == public_id), staff).first()


@dataclass(frozen=True)
class Decision:
    done: bool = False
    errors: list[FieldError] = field(default_factory=list)


async def decide_report(staff: SignedInAccount, public_id: uuid.UUID, recorded: bool, typed_reason: str, *,
                        ip: str) -> Decision | None:
    """Recorded in the SIS, or declined with a reason (both email the guardian). None: not found here."""
    report = await report_for_staff(staff, public_id)
    if report is None:
        return None
    reason, errors = ("", []) if recorded else decision_reason_errors(typed_reason)
    if errors:
        return Decision(errors=errors)
    prefs = await load_preferences()
    row = await AbsenceReport.select(AbsenceReport.account, AbsenceReport.guardian, AbsenceReport.student).where(
        AbsenceReport.id == report["id"]).first()
    guardian = await _guardian(row["account"])
    async with transaction():
        claimed = await AbsenceReport.update({
            AbsenceReport.status: "recorded" if recorded else "declined", AbsenceReport.decline_reason: reason,
            AbsenceReport.decided_at: clock.now(), AbsenceReport.decided_by: staff.id,
        }).where((AbsenceReport.id == report["id"]) & (AbsenceReport.status == "pending")).returning(
            AbsenceReport.id)
        if not claimed:  # someone else decided first: theirs stands
            return Decision(done=True)
        await audit.record("absence-report.recorded" if recorded else "absence-report.declined", actor=staff.id,
                           ip=ip, detail=reason or str(public_id))
        if guardian["email"]:
            await enqueue_email(RECORDED if recorded else DECLINED, guardian["email"],
                                _email(prefs, report["given_name"], str(report["student_public_id"]),
                                       {**report, "periods": report["periods"]}, reason),
                                language=guardian["language"], about=About(row["guardian"], (row["student"],)))
    return Decision(done=True)


# ---- The export for the SIS ----

EXPORT_HEADER = ("studentUniqueId", "studentSourcedId", "schoolId", "eventDate", "period",
                 "attendanceEventCategoryDescriptor", "attendanceEventReason", "reportStatus", "reportedAt",
                 "reportId")


async def write_absence_reports(out: TextIO, *, since: date | None = None) -> int:
    """One row per school day (and per period when not the whole day) of every report since the day given,
    shaped after Ed-Fi's StudentSchoolAttendanceEvent; the category says what the guardian reported (an
    excused absence, which the office confirms or not: reportStatus)."""
    prefs = await load_preferences()
    query = AbsenceReport.select(
        AbsenceReport.public_id, AbsenceReport.first_day, AbsenceReport.last_day, AbsenceReport.whole_day,
        AbsenceReport.periods, AbsenceReport.reason, AbsenceReport.note, AbsenceReport.status,
        AbsenceReport.created_at, AbsenceReport.student, AbsenceReport.student.student_number.as_alias("student_number"),
        AbsenceReport.student.source_id.as_alias("student_source_id"),
        AbsenceReport.school.source_id.as_alias("school_source_id"),
    ).order_by(AbsenceReport.created_at).order_by(AbsenceReport.id)
    if since:
        start = datetime.combine(since, time(0), tzinfo=ZoneInfo(prefs.time_zone)).astimezone(timezone.utc)
        query = query.where(AbsenceReport.created_at >= start)

    reports = await query
    if not reports:
        return write_csv(out, EXPORT_HEADER, iter(()), for_spreadsheet=False)
    calendar = await load_calendar(min(r["first_day"] for r in reports), max(r["last_day"] for r in reports))
    schools = await schools_of(sorted({r["student"] for r in reports}))

    def rows():
        for r in reports:
            reason = REASON_NAMES[r["reason"]] + (f": {r['note']}" if r["note"] else "")
            # The school days the report covers (weekends and the school's closures left out).
            for day in calendar.school_days(r["first_day"], r["last_day"], schools[r["student"]]):
                for period in ([""] if r["whole_day"] else r["periods"].split(",")):
                    yield (r["student_number"] or "", r["student_source_id"], r["school_source_id"],
                           day.isoformat(), period, "Excused Absence", reason, r["status"],
                           r["created_at"].astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                           str(r["public_id"]))

    return write_csv(out, EXPORT_HEADER, rows(), for_spreadsheet=False)
