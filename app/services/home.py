"""The signed-in home (issue 13, speed): every student the guardian sees with today's classes and the
attendance and scores of the last 14 days, and whether the household still needs confirming this school
year. The page parents open first, so its cost does not grow with the number of children:

1. the session and the district's preferences (the middleware, one round trip);
2. this school year's terms, the guardian's students with their schools, the household's confirmation, and
   the addresses of guardians whose access to one of the children is off (issue 11: mail about that child is
   not sent to the guardian's address when it is one of their mailboxes), and what the district's calendar
   says about today and the last 14 days (a closed day's absences are not counted),
   in one round trip (five row sets with the same columns, UNION ALL, told apart by `part`);
3. in one round trip (three row sets in one set of columns, UNION ALL, told apart by `part`): every student's
   sections today (school days only; home names no teacher, so none is read); every student's attendance
   events to note, with the daily events (a skipped class on a day present is not a day absent), by the
   (student, event_date) index; every student's recent scores, with the missing and late work of the
   grading period shown;
4. one audit insert with a row per student (FERPA §99.32: each view is recorded): on PostgreSQL part of
   statement 3 (three round trips in all), on SQLite a statement of its own (four).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from app import clock
from app.database import fetch
from app.rules.school_year import school_year_label, school_year_of
from app.services import audit
from app.services.access import LINK_IN_FORCE, link_in_force_args, link_in_force_sql
from app.services.household import home_household_of
from app.services.school_calendar import days_without_school
from app.services.mail_access import SHARED_ADDRESS_ROWS, shared_address_args, shares_a_mailbox
from app.services.records import (
    _ATTENDANCE_EVENTS,  # noqa: PLC2701 (the records pages' statements, shared)
    _TERM_ROWS,
    RECENT_DAYS,
    RECENT_GRADES_SHOWN,
    VIEWED,
    access_day_of,
    AttendanceDay,
    Reader,
    Section,
    Student,
    _choose_term,
    _days_to_note,
    _sections_with_teachers,
)
from app.rules.school_days import Entry, SchoolCalendar

# The guardian's students (the same rule as every records page: the link in force today, app/services/access.py;
# active, actively enrolled), one row per school enrollment; the public id rides in `source_id`.
_GUARDIANS_STUDENTS = """
SELECT 'student' AS part, p.id, CAST(p.public_id AS VARCHAR(36)) AS source_id, NULL AS title, NULL AS kind,
       NULL AS start_date, NULL AS end_date, e.school AS parent, NULL AS school_year,
       p.given_name, p.family_name, e.grade, s.name AS school_name, e.id AS enrollment
FROM school_enrollment e JOIN person p ON p.id = e.student JOIN school s ON s.id = e.school
WHERE p.status = 'active' AND e.status = 'active'
  AND e.student IN (SELECT l.student FROM guardian_link l WHERE l.guardian = {} AND """ + LINK_IN_FORCE + """)
"""

# What the district's calendar says about today and the last 14 days (app/rules/school_days.py): the school (NULL:
# every school) in `id`, whether it is a school day (1 or 0) in `parent`, the kind, the description and the day.
_CALENDAR_DAYS = """
SELECT 'calendar' AS part, c.school AS id, NULL AS source_id, c.description AS title, c.kind,
       c.day AS start_date, NULL AS end_date, CASE WHEN c.school_day THEN 1 ELSE 0 END AS parent,
       NULL AS school_year, NULL AS given_name, NULL AS family_name, NULL AS grade, NULL AS school_name,
       NULL AS enrollment
FROM calendar_date c WHERE c.day BETWEEN {} AND {}
"""

# The guardian's households, whether this account confirmed each this school year (1 or 0 in `parent`) and
# whether a child of theirs whom they may not see is in it ('hides-a-child' in `kind`): the one that counts is
# the one the household page shows and confirms (app/services/household.py home_household_of), looked up only
# for a guardian listed in several or in one with such a child (it may be none of theirs then).
_HOUSEHOLD = """
SELECT 'household' AS part, m.household AS id, NULL AS source_id, NULL AS title,
       CASE WHEN EXISTS (SELECT 1 FROM household_member hm JOIN guardian_link hl ON hl.student = hm.person
                         WHERE hm.household = m.household AND hl.guardian = m.person
                           AND NOT """ + link_in_force_sql("hl") + """)
            THEN 'hides-a-child' ELSE NULL END AS kind,
       NULL AS start_date, NULL AS end_date,
       CASE WHEN EXISTS (SELECT 1 FROM household_verification v
                         WHERE v.household = m.household AND v.account = {} AND v.school_year = {})
            THEN 1 ELSE 0 END AS parent,
       NULL AS school_year, NULL AS given_name, NULL AS family_name, NULL AS grade, NULL AS school_name,
       m.id AS enrollment
FROM household_member m WHERE m.person = {}
"""

# Every student's recent scores (graded work only: a score, or marked missing or exempt; of assignments and classes
# the SIS has not deleted, as on the grades pages), and (when a grading period is shown) per student the count of missing and of
# late work in it (`kind` tells them apart): one round trip. The flags are 1/0 so both parts have one type.
_RECENT_SCORES = """
SELECT 'score' AS kind, r.student, r.score, CASE WHEN r.missing THEN 1 ELSE 0 END AS missing,
       CASE WHEN r.late THEN 1 ELSE 0 END AS late, CASE WHEN r.exempt THEN 1 ELSE 0 END AS exempt, r.updated_at,
       li.title, li.points_possible, COALESCE(c.title, sec.title) AS course, sec.public_id AS section_public_id, r.id
FROM result r JOIN line_item li ON li.id = r.line_item JOIN section sec ON sec.id = li.section
LEFT JOIN course c ON c.id = sec.course
WHERE r.student IN ({students}) AND r.updated_at BETWEEN {} AND {} AND r.status = 'active'
  AND li.status = 'active' AND sec.status = 'active' AND (r.score IS NOT NULL OR r.missing OR r.exempt)
"""
# The upper end of that range is no limit (no score is updated after the year 9999). It is for PostgreSQL's plan
# cache: with `updated_at >= {}` alone, the generic plan of the prepared statement guesses that a third of the
# children's scores match and hash-joins the district's every line item, so PostgreSQL planned the statement afresh
# on every home page (0.6-0.9 ms of the server's CPU, more than running it); a range with both ends it takes to be
# narrow, so it keeps one plan, which the (student, updated_at) index answers (bench/RESULTS.md).
NO_LATER_THAN = datetime(9999, 12, 31, tzinfo=timezone.utc)
# Its WHERE on `result` is the partial index result_student_flagged's (piccolo_migrations, 2026-11-30T23:40):
# change one, change the other, or the index is no longer used.
_TERM_FLAGS = """
UNION ALL
SELECT 'flags', r.student, NULL, SUM(CASE WHEN r.missing THEN 1 ELSE 0 END), SUM(CASE WHEN r.late THEN 1 ELSE 0 END),
       0, NULL, NULL, NULL, NULL, NULL, NULL
FROM result r JOIN line_item li ON li.id = r.line_item JOIN section sec ON sec.id = li.section
WHERE r.student IN ({students}) AND li.grading_period = {} AND r.status = 'active' AND li.status = 'active'
  AND sec.status = 'active' AND (r.missing OR r.late) AND NOT r.exempt
GROUP BY r.student
"""


# Statements 3 to 5 as one (and on PostgreSQL the audit insert with them: app/services/audit.py), each part
# wrapped to one set of columns, told apart by `part`. The first branch only names them and gives them their
# types (it has no row): PostgreSQL settles a column's type two branches at a time (a NULL against a NULL would
# be text), and SQLite converts a column (a date, a time) by what the first branch reads it from.
_COLUMNS = """
SELECT 'columns' AS part, CAST(NULL AS INTEGER) AS student, CAST(NULL AS INTEGER) AS id, sec.public_id, sec.title,
       sec.title AS course, sec.periods, sec.room, sec.title AS school, se.role, p.given_name, p.family_name,
       CAST(NULL AS INTEGER) AS enrollment, se.is_primary, ev.event_date, ev.period, ev.category, ev.reason,
       sec.title AS section_title, r.score, li.points_possible, CAST(NULL AS INTEGER) AS missing,
       CAST(NULL AS INTEGER) AS late, CAST(NULL AS INTEGER) AS exempt, r.updated_at,
       sec.public_id AS section_public_id
FROM section sec, section_enrollment se, person p, attendance_event ev, result r, line_item li WHERE 1 = 0
"""
_UNION_COLUMNS = ("part", "student", "id", "public_id", "title", "course", "periods", "room", "school", "role",
                  "given_name", "family_name", "enrollment", "is_primary", "event_date", "period", "category",
                  "reason", "section_title", "score", "points_possible", "missing", "late", "exempt", "updated_at",
                  "section_public_id")


def _branch(sql: str, **columns: str) -> str:
    """A statement's rows as a branch of the union: the union's columns from its own (`columns`: the union's
    name = the statement's), NULL for the rest."""
    return "SELECT " + ", ".join(columns.get(name, "NULL") for name in _UNION_COLUMNS) + f" FROM ({sql}) q"


# Every student's sections in the terms shown ({students}, {terms}: a placeholder each). Home names no teacher,
# so none is read: the records pages' statement (records._SECTIONS_OF) reads every enrollment of each section
# to find its teacher, 117 rows a section and 0.45 ms of the server's time a home page at 100,000 students.
_TODAYS_SECTIONS = """
SELECT se.person, se.section AS id, sec.public_id, sec.title, c.title AS course, sec.periods, sec.room
FROM section_enrollment se
JOIN section sec ON sec.id = se.section
LEFT JOIN course c ON c.id = sec.course
WHERE se.person IN ({students}) AND se.role = 'student' AND se.status = 'active' AND sec.status = 'active'
  AND EXISTS (SELECT 1 FROM section_term st WHERE st.section = se.section AND st.term IN ({terms}))
"""
_SECTIONS_PART = _branch(_TODAYS_SECTIONS, part="'section'", student="q.person", **{name: f"q.{name}" for name in (
    "id", "public_id", "title", "course", "periods", "room")})
_EVENTS_PART = _branch(_ATTENDANCE_EVENTS, part="'event'", **{name: f"q.{name}" for name in (
    "student", "event_date", "period", "category", "reason", "course", "section_title")})


def _scores_part(with_flags: bool) -> str:
    return _branch(_RECENT_SCORES + (_TERM_FLAGS if with_flags else ""), part="q.kind", **{name: f"q.{name}" for name in (
        "id", "student", "score", "missing", "late", "exempt", "updated_at", "title", "points_possible", "course",
        "section_public_id")})


@dataclass(frozen=True)
class StudentToday:
    student: Student
    enrollments: list[dict]  # school_name, grade
    school_day: bool
    classes: list[Section] = field(default_factory=list)
    attendance: list[AttendanceDay] = field(default_factory=list)
    grades: list[dict] = field(default_factory=list)  # recent scores, newest first
    missing: int = 0  # work marked missing in the grading period shown (the grades page's term)
    late: int = 0  # work marked late in it
    term: str = ""  # that grading period's source id, for the links to the grades page

    def counted(self) -> list[AttendanceDay]:
        """The days noted, less those the district's calendar closed (shown, not counted)."""
        return [d for d in self.attendance if not d.closed]

    @property
    def absences(self) -> int:
        """Days in the last 14 absent the whole day: the day's own event, as the attendance page and the weekly
        digest count them. Class periods alone never make a whole day: the SIS may send only the periods it
        noted, so one skipped class would read as a day absent (a tester's find, issue 13)."""
        return sum(1 for d in self.counted() if _absent(d))

    @property
    def missed_classes(self) -> int:
        """Other days in the last 14 with a class missed (a skipped class)."""
        return sum(1 for d in self.counted() if not _absent(d) and any(
            p["category"].endswith("absence") for p in d.periods))

    @property
    def tardies(self) -> int:
        """Days in the last 14 the student came late or left early."""
        return sum(1 for d in self.counted() if not _absent(d) and (d.category in _LATE_OR_EARLY or any(
            p["category"] in _LATE_OR_EARLY for p in d.periods)))


@dataclass(frozen=True)
class Home:
    students: list[StudentToday]
    verification_due: str | None  # the school year's label when the household is not confirmed yet
    # The guardian's email address is also on file for a guardian whose access to one of their children is
    # off, so email about that child is not sent to it (app/services/mail_access.py): they should add their own.
    shared_address: bool = False


_LATE_OR_EARLY = ("tardy", "early-departure")


def _absent(day: AttendanceDay) -> bool:
    return day.category.endswith("absence")


def _not_counted(events: list[dict], calendar: SchoolCalendar, schools: tuple[int, ...]) -> list[AttendanceDay]:
    """A child's days to note, each no school day for them marked with what it was (not counted)."""
    return _days_to_note(events, days_without_school(calendar, {e["event_date"] for e in events}, schools))


def _placeholders(count: int) -> str:
    return ", ".join("{}" for _ in range(count))


async def home_page(reader: Reader) -> Home:
    today = reader.today
    school_year = school_year_of(today)
    day = await access_day_of(reader)
    rows = await fetch(
        f"{_TERM_ROWS} UNION ALL {_GUARDIANS_STUDENTS} UNION ALL {_HOUSEHOLD} UNION ALL {SHARED_ADDRESS_ROWS} "
        f"UNION ALL {_CALENDAR_DAYS}",
        school_year, reader.guardian_id, *link_in_force_args(day), *link_in_force_args(day), reader.account_id,
        school_year, reader.guardian_id, *shared_address_args(reader.guardian_id, day),
        today - timedelta(days=RECENT_DAYS), today)
    households = sorted((r for r in rows if r["part"] == "household"), key=lambda r: r["enrollment"])
    household = households[0] if households else None
    if len(households) > 1 or any(h["kind"] == "hides-a-child" for h in households):
        shown = await home_household_of(reader.guardian_id)
        household = next((h for h in households if h["id"] == shown), None)
    due = school_year_label(school_year) if household is not None and not household["parent"] else None
    shared = shares_a_mailbox([r for r in rows if r["part"] == "shared-address"])
    enrollments: dict[int, list[dict]] = defaultdict(list)
    for r in sorted((r for r in rows if r["part"] == "student"), key=lambda r: r["enrollment"]):
        enrollments[r["id"]].append(r)
    if not enrollments:
        return Home([], due, shared)
    students = sorted((Student(e[0]["id"], e[0]["source_id"], e[0]["given_name"], e[0]["family_name"],
                               tuple(x["school_name"] for x in e), e[0]["grade"]) for e in enrollments.values()),
                      key=lambda s: (s.given_name, s.family_name, s.id))
    ids = [s.id for s in students]

    choice = _choose_term(rows, today, None)
    in_term = choice is not None and choice.shown.start <= today <= choice.shown.end
    # Today is a school day for a child unless the district's calendar closed their schools (or it is a
    # weekend day the calendar does not make a school day); an absence on a day it closed is not counted.
    entries: dict = defaultdict(list)
    for r in rows:
        if r["part"] == "calendar":
            entries[r["start_date"]].append(Entry(r["start_date"], r["id"], bool(r["parent"]), r["kind"], r["title"] or ""))
    calendar = SchoolCalendar(entries={d: tuple(found) for d, found in entries.items()})
    schools = {s.id: tuple(sorted({e["parent"] for e in enrollments[s.id]})) for s in students}
    open_today = {s.id: in_term and calendar.is_school_day(today, schools[s.id]) for s in students}
    school_day = any(open_today.values())
    students_in = _placeholders(len(ids))
    parts, args = [_COLUMNS], []
    if school_day:
        parts.append(_SECTIONS_PART.replace("{students}", students_in).replace(
            "{terms}", _placeholders(len(choice.containing))))
        args += [*ids, *choice.containing]
    parts.append(_EVENTS_PART.replace("{students}", students_in).replace(
        "{noted}", "AND (ev.category <> 'present' OR COALESCE(ev.period, '') = '')"))
    args += [*ids, today - timedelta(days=RECENT_DAYS), today]
    parts.append(_scores_part(choice is not None).replace("{students}", students_in))
    args += [*ids, clock.now() - timedelta(days=RECENT_DAYS), NO_LATER_THAN, *((*ids, choice.shown.id) if choice else ())]
    found = await audit.fetch_recording(" UNION ALL ".join(parts), *args, action=VIEWED, actor=reader.account_id,
                                        people=ids, ip=reader.ip, detail="summary")
    by_part: dict[str, list[dict]] = defaultdict(list)
    for r in found:
        by_part[r["part"]].append(r)
    classes: dict[int, list[Section]] = defaultdict(list)
    for student_id in (i for i in ids if open_today[i]):
        own = {r["id"]: r for r in by_part["section"] if r["student"] == student_id}
        classes[student_id] = _sections_with_teachers(list(own.values()), [])
    events = by_part["event"]
    # Newest first; scores updated at the same moment (an import's) by id, so every visit shows the same few.
    recent = sorted(by_part["score"], key=lambda r: (r["updated_at"], r["id"]), reverse=True)
    flags = {r["student"]: r for r in by_part["flags"]}
    return Home([StudentToday(
        s, [{"school_name": e["school_name"], "grade": e["grade"]} for e in enrollments[s.id]], open_today[s.id],
        classes[s.id], _not_counted([e for e in events if e["student"] == s.id], calendar, schools[s.id]),
        [r for r in recent if r["student"] == s.id][:RECENT_GRADES_SHOWN],
        int(flags.get(s.id, {}).get("missing") or 0), int(flags.get(s.id, {}).get("late") or 0),
        choice.shown.source_id if choice else "",
    ) for s in students], due, shared)
