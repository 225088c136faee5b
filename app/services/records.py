"""What a guardian reads about their students (docs/design.md §4.8) (home is app/services/home.py),
the schedule, attendance and grades by term, a section's assignments, and who has viewed the records.

Privacy (issue 3 part 7): every function starts from the guardian and the student's public id, and a
student who is not linked to that guardian with the guardian and portal flags, while actively enrolled, is
None, exactly as a student who does not exist; so is a section the student is not in. Every view of a
student's records writes a "records.viewed" audit event (FERPA §99.32).

Speed (part 8): each page is a handful of queries, each bounded by one student (the person, student and
section indexes), never by the district: attendance is read by student and date range (the composite
index on both), sections from the student's own enrollments. The district's preferences come with the
reader (its `today`), read with the session in one round trip. A records page makes, besides that and
the audit insert: the student with this year's terms (one query), and its own reads (sections in one
query; grades add the term grades with the flags in one; attendance is one query). The audit insert goes
with the page's last read (`audit.fetch_recording`): on PostgreSQL in the same statement, so the grades page
is 4 round trips, attendance and schedule 3, a section's assignments 4 (it was 9: issue 13); on SQLite one
more each. The statements are written out (below) rather than built with Piccolo's query builder, which cost
more per request than the database did.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from app.database import fetch
from app.rules.record_of_access import View, Visit, visits
from app.rules.school_year import school_year_of
from app.services import audit
from app.services.access import LINK_IN_FORCE, AccessDay, access_day_for, link_in_force_args
from app.services.preferences import load_preferences
from app.services.school_calendar import not_school_days
from app.rules.numbers import period_order

VIEWED = "records.viewed"
ATTENDANCE_CATEGORIES = ("present", "tardy", "excused-absence", "unexcused-absence", "early-departure")
# Which of a day's own events a day's line shows when there are several: the first here, a category not listed
# after these, "present" last.
_DAY_PRECEDENCE = {"unexcused-absence": 0, "excused-absence": 1, "early-departure": 2, "tardy": 3, "present": 5}
RECENT_DAYS = 14
RECENT_GRADES_SHOWN = 5


# ---- The statements every records page runs ----
# Written out rather than built with Piccolo's query builder: these run on every page a parent opens,
# and building them cost more per request than the database took to answer them (bench/RESULTS.md).
# Placeholders are {}: Piccolo turns them into $1.. on PostgreSQL and ? on SQLite. Booleans are passed
# as parameters, so the same text runs on both engines.

# A student the guardian may see: their active enrollments, kept only if the guardian's link is in force
# today (app/services/access.py: the flags, no restriction in force, not an adult shut off at 18); and this school year's terms. The two have the same columns, so a
# records page reads both in one round trip (`_TERM_ROWS UNION ALL _STUDENT_ROWS`); `part` tells them
# apart. Sorted in Python (a UNION takes one ORDER BY for both).
_STUDENT_ROWS = """
SELECT 'student' AS part, p.id, NULL AS source_id, NULL AS title, NULL AS kind, NULL AS start_date,
       NULL AS end_date, e.school AS parent, NULL AS school_year,
       p.given_name, p.family_name, e.grade, s.name AS school_name, e.id AS enrollment
FROM school_enrollment e JOIN person p ON p.id = e.student JOIN school s ON s.id = e.school
WHERE p.public_id = {} AND p.status = 'active' AND e.status = 'active'
  AND e.student IN (SELECT l.student FROM guardian_link l WHERE l.guardian = {} AND """ + LINK_IN_FORCE + """)
"""

_TERM_ROWS = """
SELECT 'term' AS part, a.id, a.source_id, a.title, a.kind, a.start_date, a.end_date, a.parent, a.school_year,
       NULL AS given_name, NULL AS family_name, NULL AS grade, NULL AS school_name, NULL AS enrollment
FROM academic_session a WHERE a.school_year <= {} AND a.status = 'active'
"""

# The student's own enrollment rows and the teachers' rows of the same sections ({terms}: one
# placeholder per term id, then the student's id twice).
_SECTIONS_OF = """
SELECT se.section AS id, sec.public_id, sec.title, c.title AS course, sec.periods, sec.room,
       sch.name AS school, se.person, se.role, p.given_name, p.family_name, se.id AS enrollment, se.is_primary
FROM section_enrollment se
JOIN section sec ON sec.id = se.section
LEFT JOIN course c ON c.id = sec.course
JOIN school sch ON sch.id = sec.school
JOIN person p ON p.id = se.person
WHERE se.section IN (
        SELECT st.section FROM section_term st
        WHERE st.term IN ({terms}) AND st.section IN (
            SELECT own.section FROM section_enrollment own
            WHERE own.person = {} AND own.role = 'student' AND own.status = 'active'))
  AND sec.status = 'active' AND se.status = 'active'
  AND ((se.person = {} AND se.role = 'student') OR se.role = 'teacher')
ORDER BY se.is_primary DESC, se.id
"""

# A student's (or, on home, several students') events between two days ({students}: one placeholder
# per student; {noted}: nothing, or only what was not plain present).
_ATTENDANCE_EVENTS = """
SELECT ev.student, ev.event_date, ev.period, ev.category, ev.reason, c.title AS course, sec.title AS section_title
FROM attendance_event ev
LEFT JOIN section sec ON sec.id = ev.section
LEFT JOIN course c ON c.id = sec.course
WHERE ev.student IN ({students}) AND ev.event_date >= {} AND ev.event_date <= {} {noted}
ORDER BY ev.event_date DESC
"""

# The term grades of one student in one term, and per section the count of missing and late work due
# in it: one round trip.
_TERM_GRADES_AND_FLAGS = """
SELECT 'grade' AS kind, section, grade, percent, 0 AS missing, 0 AS late
FROM term_grade WHERE student = {} AND term = {}
UNION ALL
SELECT 'flags', li.section, NULL, NULL,
       SUM(CASE WHEN r.missing THEN 1 ELSE 0 END), SUM(CASE WHEN r.late THEN 1 ELSE 0 END)
FROM result r JOIN line_item li ON li.id = r.line_item
WHERE r.student = {} AND li.grading_period = {} AND r.status = 'active' AND (r.missing OR r.late)
GROUP BY li.section
"""


# ---- Who may see whom ----

@dataclass(frozen=True)
class Reader:
    """The signed-in guardian reading, on which day of the district's calendar (its time zone), and from
    where (for the audit event)."""

    account_id: int
    guardian_id: int
    today: date
    ip: str = ""
    # The 18th-birthday cutoff of AccessDay (app/services/access.py). None: read from the district's
    # preference when needed (one query); the pages pass it, having the preferences already.
    adult_cutoff: date | None = None


async def access_day_of(reader: Reader) -> AccessDay:
    """The day the access rule is applied on for this reader, with the district's 18th-birthday rule."""
    if reader.adult_cutoff is not None:
        return AccessDay(reader.today, reader.adult_cutoff)
    prefs = await load_preferences()
    return access_day_for(reader.today, prefs.parents_after_18)


@dataclass(frozen=True)
class Student:
    id: int
    public_id: str
    given_name: str
    family_name: str
    schools: tuple[str, ...]
    grade: str
    school_ids: tuple[int, ...] = ()  # of the same schools (the calendar's closures are by school)

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
    flags, active, actively enrolled in a school); None otherwise, whatever the reason. One query."""
    wanted = _parse_public_id(public_id)
    if wanted is None:
        return None
    return _student_from(await fetch(_STUDENT_ROWS, *await _student_arguments(reader, wanted)),
                         wanted)


async def _student_arguments(reader: Reader, wanted: uuid.UUID) -> tuple:
    return wanted, reader.guardian_id, *link_in_force_args(await access_day_of(reader))


def _student_from(rows: list[dict], wanted: uuid.UUID) -> Student | None:
    schools = sorted((r for r in rows if r["part"] == "student"), key=lambda r: r["enrollment"])
    if not schools:
        return None
    first = schools[0]
    return Student(first["id"], str(wanted), first["given_name"], first["family_name"],
                   tuple(s["school_name"] for s in schools), first["grade"],
                   tuple(sorted({s["parent"] for s in schools})))


def _viewing(reader: Reader, student: Student, what: str) -> dict:
    """The audit event of this page's view (FERPA §99.32), for `audit.fetch_recording`: recorded with the page's
    last read, in the same round trip on PostgreSQL."""
    return {"action": VIEWED, "actor": reader.account_id, "people": [student.id], "ip": reader.ip, "detail": what}


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
    """The linked student and the chosen term, or None (not this guardian's student, or no such term).
    One round trip for both."""
    wanted = _parse_public_id(public_id)
    if wanted is None:
        return None
    rows = await fetch(f"{_TERM_ROWS} UNION ALL {_STUDENT_ROWS}", school_year_of(reader.today),
                                      *await _student_arguments(reader, wanted))
    student = _student_from(rows, wanted)
    choice = _choose_term(rows, reader.today, term) if student else None
    if student is None or choice is None:
        return None
    return student, choice


def _choose_term(rows: list[dict], today: date, wanted: str | None) -> TermChoice | None:
    """From this school year's term rows: the term asked for, else the one today falls in, else the
    latest begun, else the first."""
    rows = sorted((r for r in rows if r["part"] == "term"), key=lambda r: (r["start_date"], r["id"]))
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
        return period_order(first)


async def _sections_of(student_id: int, term_ids: tuple[int, ...], viewing: dict | None = None) -> list[Section]:
    """The student's sections in any of these terms, with teachers, in period order. One query, bounded
    by the student's own enrollments (person index) and their sections' enrollments (section index): the
    student's enrollment rows and the teachers' rows of those same sections, told apart here. With
    `viewing`, the page's view is recorded with it (`_viewing`)."""
    sql = _SECTIONS_OF.replace("{terms}", ", ".join("{}" for _ in term_ids))
    rows = await (audit.fetch_recording(sql, *term_ids, student_id, student_id, **viewing) if viewing
                  else fetch(sql, *term_ids, student_id, student_id))
    own = {r["id"]: r for r in rows if r["role"] == "student" and r["person"] == student_id}
    return _sections_with_teachers(list(own.values()), [r for r in rows if r["role"] == "teacher"])


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
    sections = await _sections_of(student.id, choice.containing, _viewing(reader, student, "schedule"))
    return Schedule(student, choice, sections)


@dataclass(frozen=True)
class AttendanceDay:
    day: date
    category: str  # the day's own event; "" when only class periods were recorded
    reason: str
    periods: list[dict]  # period, course, category, reason
    # No school day for the child (a weekend day, or the district's calendar closed their school): what the day
    # was, in the current language (school_calendar.what_the_day_was). Shown, as the SIS sent it, but not
    # counted, as the weekly digest does not count it: an absence then is a slip in the SIS or in the calendar.
    closed: str = ""


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
    events = await _attendance_events(student.id, choice.shown.start, choice.shown.end,
                                      viewing=_viewing(reader, student, "attendance"))
    # Every day with an event, a present's too: a whole-day present the SIS put on a Saturday was counted among
    # the school days recorded, unless the same day had an absence (an attacker's find; the import warns of it).
    closed = await not_school_days(student.school_ids, {e["event_date"] for e in events})
    # Counted: what has happened. A day to come the SIS already has (an absence the office approved ahead) is
    # listed, not yet counted, as home's last 14 days do not count it either.
    counted = [e for e in events if e["event_date"] not in closed and e["event_date"] <= reader.today]
    # Days, not records: two sources can each send the same day's event (an import without eventSourcedId
    # beside the SIS's own), and a day is one day (a tester's find: "2 days" of one day, 32 days in a 31-day term).
    daily = {(e["event_date"], e["category"]) for e in counted if not e["period"]}
    day_totals = Counter(category for _, category in daily)
    period_totals = Counter(category for _, _, category in {
        (e["event_date"], e["period"], e["category"]) for e in counted if e["period"]})
    return Attendance(
        student, choice, len({day for day, _ in daily}),
        {c: day_totals.get(c, 0) for c in ATTENDANCE_CATEGORIES},
        {c: period_totals.get(c, 0) for c in ATTENDANCE_CATEGORIES},
        _days_to_note(events, closed),
    )


async def _attendance_events(student_ids: int | list[int], first: date, last: date, *,
                             noted_only: bool = False, viewing: dict | None = None) -> list[dict]:
    """Events by student and date range (the (student, event_date) index bounds it, whatever the
    table's size), newest first. With `viewing`, the page's view is recorded with it (`_viewing`)."""
    ids = student_ids if isinstance(student_ids, list) else [student_ids]
    if not ids:
        return []
    sql = _ATTENDANCE_EVENTS.replace("{students}", ", ".join("{}" for _ in ids)).replace(
        "{noted}", "AND ev.category <> 'present'" if noted_only else "")
    if viewing:
        return await audit.fetch_recording(sql, *ids, first, last, **viewing)
    return await fetch(sql, *ids, first, last)


def _days_to_note(events: list[dict], closed: dict[date, str] | None = None) -> list[AttendanceDay]:
    """The days with anything other than present, newest first; `closed`: days the calendar closed, and why."""
    by_day: dict[date, list[dict]] = defaultdict(list)
    for e in events:
        by_day[e["event_date"]].append(e)
    days = []
    for day in sorted(by_day, reverse=True):
        # The day's own event; when the SIS sent several (Ed-Fi's key includes the category, so a correction can
        # leave two), the one a parent most needs to know, so home and the attendance page say the same whatever
        # order the rows came in (an IT lead's find: home said Tardy where the attendance page said Unexcused).
        daily = min((e for e in by_day[day] if not e["period"]), key=lambda e: _DAY_PRECEDENCE.get(e["category"], 4),
                    default=None)
        periods = sorted(
            ({"period": e["period"], "course": e["course"] or e["section_title"] or "", "category": e["category"],
              "reason": e["reason"]} for e in by_day[day] if e["period"] and e["category"] != "present"),
            key=lambda p: period_order(p["period"]))
        if periods or (daily and daily["category"] != "present"):
            days.append(AttendanceDay(day, daily["category"] if daily else "", daily["reason"] if daily else "",
                                      periods, (closed or {}).get(day, "")))
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
    term_grades: dict[int, dict] = {}
    flags: dict[int, Counter] = defaultdict(Counter)
    for r in await audit.fetch_recording(_TERM_GRADES_AND_FLAGS, student.id, choice.shown.id, student.id,
                                         choice.shown.id, **_viewing(reader, student, "grades")):
        if r["kind"] == "grade":
            term_grades[r["section"]] = r
        else:
            flags[r["section"]].update(missing=int(r["missing"]), late=int(r["late"]))
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
    graded: bool  # scored, or marked missing or exempt (else not graded yet: shown after the graded work)
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


# One section of the student's, with its teachers: the student's own enrollment row and the teachers' rows.
_SECTION_OF = """
SELECT se.section AS id, sec.public_id, sec.title, c.title AS course, sec.periods, sec.room,
       sch.name AS school, se.person, se.role, p.given_name, p.family_name
FROM section_enrollment se
JOIN section sec ON sec.id = se.section
LEFT JOIN course c ON c.id = sec.course
JOIN school sch ON sch.id = sec.school
JOIN person p ON p.id = se.person
WHERE sec.public_id = {} AND ((se.person = {} AND se.role = 'student') OR (se.role = 'teacher' AND se.status = 'active'))
ORDER BY se.is_primary DESC, se.id
"""

# A section's assignments in one term with the student's results, and the student's term grade: one round trip.
_ASSIGNMENTS_AND_GRADE = """
SELECT 'item' AS kind, li.id, li.title, li.category, li.due_date, li.points_possible, r.id AS result_id,
       r.score, r.missing, r.late, r.exempt, r.comment, NULL AS grade, NULL AS percent
FROM line_item li LEFT JOIN result r ON r.line_item = li.id AND r.student = {} AND r.status = 'active'
WHERE li.section = {} AND li.grading_period = {} AND li.status = 'active'
UNION ALL
SELECT 'grade', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, tg.grade, tg.percent
FROM term_grade tg WHERE tg.student = {} AND tg.section = {} AND tg.term = {}
"""


def _is_graded(item: dict) -> bool:
    """A result with a score, or marked missing or exempt: what the teacher has graded."""
    return item["result_id"] is not None and (item["score"] is not None or bool(item["missing"])
                                              or bool(item["exempt"]))


async def section_grades(reader: Reader, public_id: str, section_public_id: str,
                         term: str | None) -> SectionDetail | None:
    """A section's term grade and assignments; None unless the student is enrolled in that section.
    Three round trips besides the session's: the student with the year's terms, the section with its
    teachers, the assignments with results and the term grade with the audit insert (on SQLite the insert is
    a fourth)."""
    wanted_section = _parse_public_id(section_public_id) if section_public_id and len(section_public_id) <= 64 \
        else None
    found = await _student_in_term(reader, public_id, term) if wanted_section else None
    if found is None:
        return None
    student, choice = found
    rows = await fetch(_SECTION_OF, str(wanted_section), student.id)  # a text column
    own = [r for r in rows if r["role"] == "student" and r["person"] == student.id][:1]
    if not own:
        return None
    [section] = _sections_with_teachers(own, [r for r in rows if r["role"] == "teacher"])
    found_rows = await audit.fetch_recording(_ASSIGNMENTS_AND_GRADE, student.id, section.id, choice.shown.id,
                                             student.id, section.id, choice.shown.id,
                                             **_viewing(reader, student, "grades"))
    grade = next((r for r in found_rows if r["kind"] == "grade"), None)
    items: dict[int, dict] = {}
    for r in sorted((r for r in found_rows if r["kind"] == "item"), key=lambda r: (r["id"], r["result_id"] or 0)):
        items[r["id"]] = r  # the latest result of an item, as before
    # Graded work first, latest due first; then work not graded yet (coming up), soonest due first (issue 13).
    graded = sorted((i for i in items.values() if _is_graded(i)),
                    key=lambda i: (i["due_date"] is not None, i["due_date"] or date.min, i["id"]), reverse=True)
    ungraded = sorted((i for i in items.values() if not _is_graded(i)),
                      key=lambda i: (i["due_date"] is None, i["due_date"] or date.max, i["id"]))
    ordered = graded + ungraded
    return SectionDetail(student, choice, section, grade["grade"] if grade else "",
                         grade["percent"] if grade else None, [
        Assignment(i["title"], i["category"], i["due_date"], i["points_possible"], i["score"],
                   _is_graded(i), bool(i["missing"]), bool(i["late"]), bool(i["exempt"]),
                   i["comment"] or "")
        for i in ordered
    ])


# ---- The record of access (FERPA §99.32(c)) ----

@dataclass(frozen=True)
class AccessLog:
    student: Student
    visits: list[Visit]  # newest first (app/rules/record_of_access.py)
    include_mine: bool = False
    older: int | None = None  # the cursor for the next page (older views), None on the last page
    newest_page: bool = True


ACCESS_LOG_PAGE = 50  # views read a page (a page shows them as visits)

# Newest first, a page at a time by id (the table is append-only, so ids are in the order things happened):
# the (person, action, id) index makes each page cost the same whatever the student's history
# (issue 13 item 13). Own views are left out unless asked for (item 7: the parent's own visits were most
# of the list).
_ACCESS_LOG = """
SELECT e.id, e.at, e.detail, e.actor AS actor_id, a.username, a.role, p.given_name, p.family_name
FROM audit_event e LEFT JOIN user_account a ON a.id = e.actor LEFT JOIN person p ON p.id = a.person
WHERE e.person = {} AND e.action = {} AND e.id < {} AND (e.actor IS NULL OR e.actor <> {} OR {})
ORDER BY e.id DESC LIMIT {}
"""
NO_CURSOR = 2 ** 31 - 1  # above every id (an int4 serial on PostgreSQL)


async def access_log(reader: Reader, public_id: str, *, before: int | None = None,
                     include_mine: bool = False) -> AccessLog | None:
    """Who has viewed this student's records, newest first, as visits (one person's views close together), a
    page of up to ACCESS_LOG_PAGE views at a time. A page that has older views after it ends at a visit's start,
    so no visit is cut in two (unless one visit is longer than a page)."""
    student = await linked_student(reader, public_id)
    if student is None:
        return None
    rows = await fetch(_ACCESS_LOG, student.id, VIEWED, min(before or NO_CURSOR, NO_CURSOR),
                                reader.account_id, include_mine, ACCESS_LOG_PAGE + 1)
    found = visits([View(
        r["id"], r["at"], r["actor_id"],
        f"{r['given_name']} {r['family_name']}" if r["given_name"] else (r["username"] or ""),
        r["role"] or "", r["detail"], r["actor_id"] == reader.account_id,
    ) for r in rows[:ACCESS_LOG_PAGE]])
    older = None
    if len(rows) > ACCESS_LOG_PAGE:
        if len(found) > 1:
            found = found[:-1]  # the oldest visit may go on past this page: the next page shows it whole
        older = found[-1].oldest
    return AccessLog(student, found, include_mine, older, before is None)
