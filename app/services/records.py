"""What a guardian reads about their students (DESIGN §4.8): today's classes and recent changes on home,
the schedule, attendance and grades by term, a section's assignments, and who has viewed the records.

Privacy (issue 3 part 7): every function starts from the guardian and the student's public id, and a
student who is not linked to that guardian with the guardian and portal flags, while actively enrolled, is
None, exactly as a student who does not exist; so is a section the student is not in. Every view of a
student's records writes a "records.viewed" audit event (FERPA §99.32).

Speed (part 8): each page is a handful of queries, each bounded by one student (the person, student and
section indexes), never by the district: attendance is read by student and date range (the composite
index on both), sections from the student's own enrollments. The district's preferences come with the
reader (its `today`), read once per request by the caller. A records page makes, besides the session
and the audit insert: the student (one query), the terms, and its own reads (sections in one query;
grades add the term grades and the flags; attendance is one query).
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from app import clock
from app.rules.school_year import school_year_of
from app.services import audit
from app.services.eligibility import portal_students_of
from app.tables import (
    AcademicSession,
    AttendanceEvent,
    AuditEvent,
    GuardianLink,
    LineItem,
    Result,
    SchoolEnrollment,
    SectionEnrollment,
    SectionTerm,
    TermGrade,
)

VIEWED = "records.viewed"
ATTENDANCE_CATEGORIES = ("present", "tardy", "excused-absence", "unexcused-absence", "early-departure")
RECENT_DAYS = 14
RECENT_GRADES_SHOWN = 5
ACCESS_LOG_SHOWN = 100


# ---- Who may see whom ----

@dataclass(frozen=True)
class Reader:
    """The signed-in guardian reading, on which day of the district's calendar (its time zone), and from
    where (for the audit event)."""

    account_id: int
    guardian_id: int
    today: date
    ip: str = ""


@dataclass(frozen=True)
class Student:
    id: int
    public_id: str
    given_name: str
    family_name: str
    schools: tuple[str, ...]
    grade: str

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


def _parse_public_id(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except (ValueError, TypeError, AttributeError):
        return None


async def linked_student(reader: Reader, public_id: str) -> Student | None:
    """The student with this public id if the guardian may see them (linked with the guardian and portal
    flags, active, actively enrolled in a school); None otherwise, whatever the reason. One query: the
    student's active school enrollments, kept only if the guardian's link is there."""
    wanted = _parse_public_id(public_id)
    if wanted is None:
        return None
    linked_to_reader = GuardianLink.select(GuardianLink.student).where(
        (GuardianLink.guardian == reader.guardian_id)
        & (GuardianLink.is_guardian == True)  # noqa: E712
        & (GuardianLink.portal_access == True)  # noqa: E712
    )
    schools = await SchoolEnrollment.select(
        SchoolEnrollment.student.id.as_alias("id"),
        SchoolEnrollment.student.given_name.as_alias("given_name"),
        SchoolEnrollment.student.family_name.as_alias("family_name"),
        SchoolEnrollment.grade,
        SchoolEnrollment.school.name.as_alias("school_name"),
    ).where(
        (SchoolEnrollment.student.public_id == wanted)
        & (SchoolEnrollment.student.status == "active")
        & (SchoolEnrollment.status == "active")
        & SchoolEnrollment.student.is_in(linked_to_reader)
    ).order_by(SchoolEnrollment.id)
    if not schools:
        return None
    first = schools[0]
    return Student(first["id"], str(wanted), first["given_name"], first["family_name"],
                   tuple(s["school_name"] for s in schools), first["grade"])


async def _record_view(reader: Reader, student: Student, what: str) -> None:
    await audit.record(VIEWED, actor=reader.account_id, person=student.id, ip=reader.ip, detail=what)


# ---- Terms ----

@dataclass(frozen=True)
class Term:
    id: int
    source_id: str
    title: str
    kind: str
    start: date
    end: date
    parent_id: int | None


@dataclass(frozen=True)
class TermChoice:
    """The terms a page can show (the year's grading periods), the one shown, and the sessions that
    contain it (its semester and year: a year-long section belongs to every grading period)."""

    terms: tuple[Term, ...]
    shown: Term
    containing: tuple[int, ...]


async def _student_in_term(reader: Reader, public_id: str, term: str | None) -> tuple[Student, TermChoice] | None:
    """The linked student and the chosen term, or None (not this guardian's student, or no such term)."""
    student = await linked_student(reader, public_id)
    choice = await _term_choice(reader.today, term) if student else None
    if student is None or choice is None:
        return None
    return student, choice


async def _term_choice(today: date, wanted: str | None) -> TermChoice | None:
    rows = await AcademicSession.select(
        AcademicSession.id, AcademicSession.source_id, AcademicSession.title, AcademicSession.kind,
        AcademicSession.start_date, AcademicSession.end_date, AcademicSession.parent, AcademicSession.school_year,
    ).where(
        (AcademicSession.school_year <= school_year_of(today)) & (AcademicSession.status == "active")
    ).order_by(AcademicSession.start_date)
    if not rows:
        return None
    latest_year = max(r["school_year"] for r in rows)
    sessions = {r["id"]: Term(r["id"], r["source_id"], r["title"], r["kind"], r["start_date"], r["end_date"],
                              r["parent"]) for r in rows if r["school_year"] == latest_year}
    terms = tuple(t for t in sessions.values() if t.kind == "gradingPeriod") or tuple(
        t for t in sessions.values() if t.kind in ("term", "semester")) or tuple(sessions.values())
    shown = next((t for t in terms if t.source_id == wanted), None) or next(
        (t for t in terms if t.start <= today <= t.end), None) or next(
        (t for t in reversed(terms) if t.start <= today), terms[0])
    containing, current = [], shown
    while current is not None and current.id not in containing:
        containing.append(current.id)
        current = sessions.get(current.parent_id)
    return TermChoice(terms, shown, tuple(containing))


# ---- Sections ----

@dataclass(frozen=True)
class Section:
    id: int
    public_id: str
    title: str
    course: str
    periods: str
    room: str
    school: str
    teachers: tuple[str, ...] = ()

    @property
    def first_period(self) -> tuple[int, str]:
        first = self.periods.split(",")[0].strip()
        return (int(first), first) if first.isdigit() else (-1, first)


_SECTION_COLUMNS = (
    SectionEnrollment.section.id.as_alias("id"),
    SectionEnrollment.section.public_id.as_alias("public_id"),
    SectionEnrollment.section.title.as_alias("title"),
    SectionEnrollment.section.course.title.as_alias("course"),
    SectionEnrollment.section.periods.as_alias("periods"),
    SectionEnrollment.section.room.as_alias("room"),
    SectionEnrollment.section.school.name.as_alias("school"),
)


async def _sections_of(student_id: int, term_ids: tuple[int, ...]) -> list[Section]:
    """The student's sections in any of these terms, with teachers, in period order. One query, bounded
    by the student's own enrollments (person index) and their sections' enrollments (section index): the
    student's enrollment rows and the teachers' rows of those same sections, told apart here."""
    students_sections = SectionEnrollment.select(SectionEnrollment.section).where(
        (SectionEnrollment.person == student_id) & (SectionEnrollment.role == "student")
        & (SectionEnrollment.status == "active"))
    in_terms = SectionTerm.select(SectionTerm.section).where(
        SectionTerm.section.is_in(students_sections) & SectionTerm.term.is_in(list(term_ids)))
    rows = await SectionEnrollment.select(
        *_SECTION_COLUMNS, SectionEnrollment.person, SectionEnrollment.role,
        SectionEnrollment.person.given_name.as_alias("given_name"),
        SectionEnrollment.person.family_name.as_alias("family_name"),
    ).where(
        SectionEnrollment.section.is_in(in_terms)
        & (SectionEnrollment.section.status == "active") & (SectionEnrollment.status == "active")
        & (((SectionEnrollment.person == student_id) & (SectionEnrollment.role == "student"))
           | (SectionEnrollment.role == "teacher"))
    ).order_by(SectionEnrollment.is_primary, ascending=False).order_by(SectionEnrollment.id)
    own = {r["id"]: r for r in rows if r["role"] == "student" and r["person"] == student_id}
    return _sections_with_teachers(list(own.values()), [r for r in rows if r["role"] == "teacher"])


async def _with_teachers(rows: list[dict]) -> list[Section]:
    teachers = []
    if rows:
        teachers = await SectionEnrollment.select(
            SectionEnrollment.section.id.as_alias("id"), SectionEnrollment.person.given_name.as_alias("given_name"),
            SectionEnrollment.person.family_name.as_alias("family_name"),
        ).where(SectionEnrollment.section.is_in([r["id"] for r in rows]) & (SectionEnrollment.role == "teacher")
                & (SectionEnrollment.status == "active")).order_by(
            SectionEnrollment.is_primary, ascending=False).order_by(SectionEnrollment.id)
    return _sections_with_teachers(rows, teachers)


def _sections_with_teachers(rows: list[dict], teacher_rows: list[dict]) -> list[Section]:
    """Sections (rows with the section columns) with their teachers' names (rows with the section's id
    and a name, primary teachers first), in period order."""
    teachers: dict[int, list[str]] = defaultdict(list)
    for t in teacher_rows:
        teachers[t["id"]].append(f"{t['given_name']} {t['family_name']}")
    sections = [Section(r["id"], r["public_id"], r["title"], r["course"] or r["title"], r["periods"], r["room"],
                        r["school"], tuple(teachers[r["id"]])) for r in rows]
    return sorted(sections, key=lambda s: (s.first_period, s.course))


# ---- Pages ----

@dataclass(frozen=True)
class Schedule:
    student: Student
    term: TermChoice
    sections: list[Section]


async def schedule(reader: Reader, public_id: str, term: str | None) -> Schedule | None:
    found = await _student_in_term(reader, public_id, term)
    if found is None:
        return None
    student, choice = found
    sections = await _sections_of(student.id, choice.containing)
    await _record_view(reader, student, "schedule")
    return Schedule(student, choice, sections)


@dataclass(frozen=True)
class AttendanceDay:
    day: date
    category: str  # the day's own event; "" when only class periods were recorded
    reason: str
    periods: list[dict]  # period, course, category, reason


@dataclass(frozen=True)
class Attendance:
    student: Student
    term: TermChoice
    days_recorded: int
    day_totals: dict[str, int]
    period_totals: dict[str, int]
    days: list[AttendanceDay]  # days with anything other than present, newest first


async def attendance(reader: Reader, public_id: str, term: str | None) -> Attendance | None:
    found = await _student_in_term(reader, public_id, term)
    if found is None:
        return None
    student, choice = found
    events = await _attendance_events(student.id, choice.shown.start, choice.shown.end)
    day_totals = Counter(e["category"] for e in events if not e["period"])
    period_totals = Counter(e["category"] for e in events if e["period"])
    await _record_view(reader, student, "attendance")
    return Attendance(
        student, choice, sum(day_totals.values()),
        {c: day_totals.get(c, 0) for c in ATTENDANCE_CATEGORIES},
        {c: period_totals.get(c, 0) for c in ATTENDANCE_CATEGORIES},
        _days_to_note(events),
    )


async def _attendance_events(student_ids: int | list[int], first: date, last: date, *,
                             noted_only: bool = False) -> list[dict]:
    """Events by student and date range (the student index bounds it, whatever the table's size)."""
    who = AttendanceEvent.student.is_in(student_ids) if isinstance(student_ids, list) else (
        AttendanceEvent.student == student_ids)
    where = who & (AttendanceEvent.event_date >= first) & (AttendanceEvent.event_date <= last)
    if noted_only:
        where &= AttendanceEvent.category != "present"
    return await AttendanceEvent.select(
        AttendanceEvent.student, AttendanceEvent.event_date, AttendanceEvent.period, AttendanceEvent.category,
        AttendanceEvent.reason, AttendanceEvent.section.course.title.as_alias("course"),
        AttendanceEvent.section.title.as_alias("section_title"),
    ).where(where).order_by(AttendanceEvent.event_date, ascending=False)


def _days_to_note(events: list[dict]) -> list[AttendanceDay]:
    by_day: dict[date, list[dict]] = defaultdict(list)
    for e in events:
        by_day[e["event_date"]].append(e)
    days = []
    for day in sorted(by_day, reverse=True):
        daily = next((e for e in by_day[day] if not e["period"]), None)
        periods = sorted(
            ({"period": e["period"], "course": e["course"] or e["section_title"] or "", "category": e["category"],
              "reason": e["reason"]} for e in by_day[day] if e["period"] and e["category"] != "present"),
            key=lambda p: (int(p["period"]) if p["period"].isdigit() else -1, p["period"]))
        if periods or (daily and daily["category"] != "present"):
            days.append(AttendanceDay(day, daily["category"] if daily else "", daily["reason"] if daily else "",
                                      periods))
    return days


@dataclass(frozen=True)
class SectionGrade:
    section: Section
    grade: str
    percent: float | None
    missing: int
    late: int


@dataclass(frozen=True)
class Grades:
    student: Student
    term: TermChoice
    sections: list[SectionGrade]


async def grades(reader: Reader, public_id: str, term: str | None) -> Grades | None:
    found = await _student_in_term(reader, public_id, term)
    if found is None:
        return None
    student, choice = found
    sections = await _sections_of(student.id, choice.containing)
    term_grades = {g["section"]: g for g in await TermGrade.select(
        TermGrade.section, TermGrade.grade, TermGrade.percent
    ).where((TermGrade.student == student.id) & (TermGrade.term == choice.shown.id))}
    flags: dict[int, Counter] = defaultdict(Counter)
    for r in await Result.select(
        Result.line_item.section.as_alias("section"), Result.missing, Result.late
    ).where((Result.student == student.id) & (Result.line_item.grading_period == choice.shown.id)
            & (Result.status == "active") & ((Result.missing == True) | (Result.late == True))):  # noqa: E712
        flags[r["section"]].update(missing=int(r["missing"]), late=int(r["late"]))
    await _record_view(reader, student, "grades")
    return Grades(student, choice, [
        SectionGrade(s, term_grades.get(s.id, {}).get("grade", ""), term_grades.get(s.id, {}).get("percent"),
                     flags[s.id]["missing"], flags[s.id]["late"])
        for s in sections
    ])


@dataclass(frozen=True)
class Assignment:
    title: str
    category: str
    due: date | None
    points_possible: float | None
    score: float | None
    graded: bool
    missing: bool
    late: bool
    exempt: bool
    comment: str


@dataclass(frozen=True)
class SectionDetail:
    student: Student
    term: TermChoice
    section: Section
    grade: str
    percent: float | None
    assignments: list[Assignment]


async def section_grades(reader: Reader, public_id: str, section_public_id: str,
                         term: str | None) -> SectionDetail | None:
    """A section's term grade and assignments; None unless the student is enrolled in that section."""
    student = await linked_student(reader, public_id)
    if student is None or not section_public_id or len(section_public_id) > 64:
        return None
    row = await SectionEnrollment.select(*_SECTION_COLUMNS).where(
        (SectionEnrollment.person == student.id) & (SectionEnrollment.role == "student")
        & (SectionEnrollment.section.public_id == section_public_id)).first()
    choice = await _term_choice(reader.today, term) if row else None
    if row is None or choice is None:
        return None
    [section] = await _with_teachers([row])
    items = await LineItem.select(
        LineItem.id, LineItem.title, LineItem.category, LineItem.due_date, LineItem.points_possible
    ).where((LineItem.section == section.id) & (LineItem.grading_period == choice.shown.id)
            & (LineItem.status == "active")).order_by(LineItem.due_date, ascending=False)
    results = {r["line_item"]: r for r in await Result.select(
        Result.line_item, Result.score, Result.missing, Result.late, Result.exempt, Result.comment
    ).where((Result.student == student.id) & (Result.line_item.section == section.id)
            & (Result.status == "active"))} if items else {}
    grade = await TermGrade.select(TermGrade.grade, TermGrade.percent).where(
        (TermGrade.student == student.id) & (TermGrade.section == section.id) & (TermGrade.term == choice.shown.id)
    ).first()
    await _record_view(reader, student, "grades")
    return SectionDetail(student, choice, section, grade["grade"] if grade else "",
                         grade["percent"] if grade else None, [
        Assignment(i["title"], i["category"], i["due_date"], i["points_possible"],
                   results[i["id"]]["score"] if i["id"] in results else None, i["id"] in results,
                   bool(results.get(i["id"], {}).get("missing")), bool(results.get(i["id"], {}).get("late")),
                   bool(results.get(i["id"], {}).get("exempt")), results.get(i["id"], {}).get("comment", ""))
        for i in items
    ])


# ---- Home ----

@dataclass
class StudentToday:
    student: Student
    enrollments: list[dict]  # school_name, grade
    school_day: bool
    classes: list[Section] = field(default_factory=list)
    attendance: list[AttendanceDay] = field(default_factory=list)
    grades: list[dict] = field(default_factory=list)  # recent scores, newest first


async def students_today(reader: Reader) -> list[StudentToday]:
    """Home: every student the guardian sees, with today's classes and the attendance and scores recorded
    in the last 14 days. One query per kind for all the students together; the classes per student."""
    students = await portal_students_of(reader.guardian_id)
    if not students:
        return []
    today = reader.today
    choice = await _term_choice(today, None)
    in_term = choice is not None and choice.shown.start <= today <= choice.shown.end
    school_day = in_term and today.weekday() < 5
    ids = [s["student_id"] for s in students]
    since = today - timedelta(days=RECENT_DAYS)
    events = await _attendance_events(ids, since, today, noted_only=True)
    scores = await Result.select(
        Result.student, Result.score, Result.missing, Result.late, Result.exempt, Result.updated_at,
        Result.line_item.title.as_alias("title"), Result.line_item.points_possible.as_alias("points_possible"),
        Result.line_item.section.course.title.as_alias("course"),
        Result.line_item.section.public_id.as_alias("section_public_id"),
    ).where(Result.student.is_in(ids) & (Result.updated_at >= clock.now() - timedelta(days=RECENT_DAYS))
            & (Result.status == "active")).order_by(Result.updated_at, ascending=False)
    found = []
    for s in students:
        student = Student(s["student_id"], str(s["public_id"]), s["given_name"], s["family_name"],
                          tuple(e["school_name"] for e in s["enrollments"]),
                          s["enrollments"][0]["grade"] if s["enrollments"] else "")
        found.append(StudentToday(
            student, s["enrollments"], school_day,
            await _sections_of(student.id, choice.containing) if school_day else [],
            _days_to_note([e for e in events if e["student"] == student.id]),
            [r for r in scores if r["student"] == student.id][:RECENT_GRADES_SHOWN],
        ))
        await _record_view(reader, student, "summary")
    return found


# ---- The record of access (FERPA §99.32(c)) ----

@dataclass(frozen=True)
class AccessLog:
    student: Student
    views: list[dict]  # at, who, role, what


async def access_log(reader: Reader, public_id: str) -> AccessLog | None:
    """Who has viewed this student's records, newest first."""
    student = await linked_student(reader, public_id)
    if student is None:
        return None
    rows = await AuditEvent.select(
        AuditEvent.at, AuditEvent.detail, AuditEvent.actor.username.as_alias("username"),
        AuditEvent.actor.role.as_alias("role"), AuditEvent.actor.person.given_name.as_alias("given_name"),
        AuditEvent.actor.person.family_name.as_alias("family_name"),
    ).where((AuditEvent.person == student.id) & (AuditEvent.action == VIEWED)).order_by(
        AuditEvent.at, AuditEvent.id, ascending=False).limit(ACCESS_LOG_SHOWN)
    return AccessLog(student, [{
        "at": r["at"],
        "who": f"{r['given_name']} {r['family_name']}" if r["given_name"] else (r["username"] or ""),
        "role": r["role"] or "",
        "what": r["detail"],
    } for r in rows])
