"""A whole school year for the demo district (docs/design.md §4.8, §6): academic sessions, courses, sections with
teachers, rooms and periods, enrollments, assignments and scores, term grades, daily and period attendance
up to today, and households with addresses and phones.

This year's attendance grows through the year (about 1.2 events a student a school day: 100,000 students
have about 8.3 million by late November, a fraction of that in August). A benchmark wants the same
district whatever the date, so `fill_school_year(attendance_events=N)` tops the table up to N with last
school year's daily attendance, from its last school day backwards: `homeroom demo --size district` asks
for 10 million.

It runs after the people exist (app/demo.py) and reads them from the database, so it serves any district
size. Everything random comes from one generator seeded with the seed and walks the students in id order,
so a seed gives the same year. Rows go in through `BulkRows` (the importers' TableWriter: COPY on PostgreSQL, executemany on SQLite,
ids assigned here): a district of 100,000 students and ten million attendance events takes minutes, not
hours. Most rows are made per cohort (the students of one grade who share a timetable), so memory stays
flat whatever the size.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import phonenumbers
from piccolo.engine.postgres import PostgresEngine

from app import clock
from app.database import engine, transaction
from app.demo import FAMILY_NAMES, FEMALE_NAMES, GRADES, MALE_NAMES, SCHOOLS
from app.importers.table_writes import TableWriter
from app.rules.names import person_name_key
from app.tables import GuardianLink, School, SchoolEnrollment
from app.rules.numbers import whole_number

CHUNK = 5000
COHORT_SIZE = {"elementary": 24, "secondary": 28}
SECTIONS_PER_TEACHER = 6  # a secondary teacher has one planning period in seven

# ---- The calendar ----


def school_year_of(today: date) -> int:
    """The year the school year ends in (OneRoster's schoolYear): August 2026 to June 2027 is 2027."""
    return today.year + 1 if today.month >= 8 else today.year


def _weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _holidays(start_year: int) -> set[date]:
    labor_day = _weekday_on_or_after(date(start_year, 9, 1), 0)
    thanksgiving = _weekday_on_or_after(date(start_year, 11, 1), 3) + timedelta(weeks=3)
    mlk_day = _weekday_on_or_after(date(start_year + 1, 1, 1), 0) + timedelta(weeks=2)
    spring_break = _weekday_on_or_after(date(start_year + 1, 3, 23), 0)
    days = {labor_day, mlk_day}
    days |= {thanksgiving + timedelta(days=d) for d in range(-3, 2)}  # the whole week
    days |= {date(start_year, 12, 22) + timedelta(days=d) for d in range(14)}  # winter break
    days |= {spring_break + timedelta(days=d) for d in range(5)}
    return days


@dataclass(frozen=True)
class Term:
    source_id: str
    title: str
    kind: str
    start: date
    end: date
    parent: str | None
    days: tuple[date, ...]


@dataclass(frozen=True)
class SchoolCalendar:
    school_year: int
    days: tuple[date, ...]  # school days, in order
    year: Term
    semesters: tuple[Term, Term]
    grading_periods: tuple[Term, Term, Term, Term]

    def grading_period_of(self, day: date) -> Term:
        return next(gp for gp in self.grading_periods if gp.start <= day <= gp.end)


def school_calendar(school_year: int) -> SchoolCalendar:
    start_year = school_year - 1
    first = _weekday_on_or_after(date(start_year, 8, 8), 0)
    last = date(school_year, 5, 29) - timedelta(days=(date(school_year, 5, 29).weekday() - 4) % 7)
    off = _holidays(start_year)
    days = tuple(first + timedelta(days=d) for d in range((last - first).days + 1)
                 if (first + timedelta(days=d)).weekday() < 5 and first + timedelta(days=d) not in off)
    prefix = f"demo-{school_year}"

    def term(suffix: str, title: str, kind: str, span: tuple[date, ...], parent: str | None) -> Term:
        return Term(f"{prefix}-{suffix}" if suffix else prefix, title, kind, span[0], span[-1], parent, span)

    year = term("", f"{start_year}–{school_year}", "schoolYear", days, None)
    fall = tuple(d for d in days if d.year == start_year)
    spring = tuple(d for d in days if d.year == school_year)
    semesters = (term("s1", "Semester 1", "semester", fall, year.source_id),
                 term("s2", "Semester 2", "semester", spring, year.source_id))
    quarters = []
    for number, semester in enumerate(semesters):
        half = len(semester.days) // 2
        for part, span in enumerate((semester.days[:half], semester.days[half:])):
            n = number * 2 + part + 1
            quarters.append(term(f"q{n}", f"Quarter {n}", "gradingPeriod", span, semester.source_id))
    return SchoolCalendar(school_year, days, year, semesters, tuple(quarters))


# ---- Courses by grade: seven periods for middle and high school, a homeroom for elementary ----

HIGH_SCHOOL_COURSES = {
    "09": ("English 9", "Algebra I", "Biology", "World History"),
    "10": ("English 10", "Geometry", "Chemistry", "U.S. History"),
    "11": ("English 11", "Algebra II", "Physics", "Government"),
    "12": ("English 12", "Pre-Calculus", "Environmental Science", "Economics"),
}
ELECTIVES = ("Spanish I", "Band", "French I", "Computer Science", "Chorus")
SEMESTER_PAIRS = (("Health", "Art"), ("Personal Finance", "Digital Media"), ("Drama", "Journalism"))
CATEGORIES = {  # category: points possible
    "Homework": 10.0, "Quiz": 20.0, "Test": 100.0, "Project": 50.0, "Classwork": 10.0,
}
ELEMENTARY_SUBJECTS = ("Reading", "Math", "Writing", "Science", "Social Studies")
STREETS = ("Oak", "Maple", "Cedar", "Pine", "Elm", "Willow", "Peachtree", "Magnolia", "Dogwood", "Hickory",
           "Chestnut", "Birch", "Sycamore", "Juniper", "Laurel", "Spruce", "Poplar", "Cypress", "Aspen", "Holly")
STREET_KINDS = ("Street", "Avenue", "Road", "Drive", "Lane", "Court", "Way", "Place")
ABSENCE_REASONS = {
    "excused-absence": ("Illness", "Medical appointment", "Family emergency", "Religious observance",
                        "Bereavement"),
    "unexcused-absence": ("No reason given", "Parent note not received", "Skipped class"),
    "tardy": ("Late bus", "Overslept", "Traffic", "Medical appointment"),
    "early-departure": ("Medical appointment", "Illness at school", "Family emergency", "Dental appointment"),
}

# The demo district's own words for its SIS values in Spanish (issue 13 item 10: a district fills them with
# `homeroom import translations`; the demo does, so its Spanish pages read "Segundo trimestre", not "Quarter 2":
# a parent tester's find). Every term title and absence reason above has one.
SPANISH_WORDS = {
    "term": {"Semester 1": "Primer semestre", "Semester 2": "Segundo semestre", "Quarter 1": "Primer trimestre",
             "Quarter 2": "Segundo trimestre", "Quarter 3": "Tercer trimestre", "Quarter 4": "Cuarto trimestre"},
    "absence-reason": {
        "Illness": "Enfermedad", "Medical appointment": "Cita médica", "Family emergency": "Emergencia familiar",
        "Religious observance": "Celebración religiosa", "Bereavement": "Duelo", "No reason given": "Sin motivo",
        "Parent note not received": "No se recibió la nota de los padres", "Skipped class": "Faltó a clase",
        "Late bus": "Autobús tarde", "Overslept": "Se quedó dormido", "Traffic": "Tráfico",
        "Illness at school": "Se enfermó en la escuela", "Dental appointment": "Cita con el dentista"},
    "relationship": {"mother": "madre", "father": "padre", "grandmother": "abuela", "grandfather": "abuelo",
                     "aunt": "tía", "stepmother": "madrastra", "stepfather": "padrastro", "guardian": "tutor",
                     "parent": "padre o madre"},
}


def spanish_words() -> list[tuple[str, str, str, str]]:
    """SPANISH_WORDS as rows for sis_words.replace_translations: (kind, SIS value, language, text)."""
    return [(kind, value, "es", text) for kind, words in SPANISH_WORDS.items() for value, text in words.items()]


def _grade_number(grade: str) -> int:
    return whole_number(grade) or 0


def _is_elementary(grade: str) -> bool:
    return _grade_number(grade) <= 5


def _grade_title(grade: str) -> str:
    return "Kindergarten" if _grade_number(grade) == 0 else f"Grade {_grade_number(grade)}"


def courses_for(grade: str, cohort: int) -> list[tuple[str, ...]]:
    """A cohort's seven slots. Each slot is one course all year, or two courses, one per semester."""
    number = _grade_number(grade)
    if number >= 9:
        core = HIGH_SCHOOL_COURSES[grade]
    else:
        core = (f"English {number}", f"Math {number}", f"Science {number}", f"Social Studies {number}")
    elective = ELECTIVES[cohort % len(ELECTIVES)]
    pair = SEMESTER_PAIRS[cohort % len(SEMESTER_PAIRS)]
    return [(c,) for c in core] + [("Physical Education",), (elective,), pair]


def letter_grade(percent: float) -> str:
    for floor, letter in ((90, "A"), (80, "B"), (70, "C"), (60, "D")):
        if percent >= floor:
            return letter
    return "F"


# ---- Bulk rows: the only way ten million rows go in within minutes ----

COLUMNS = {
    "academic_session": ("id", "source_id", "title", "kind", "start_date", "end_date", "parent", "school_year",
                         "status"),
    "calendar_date": ("id", "source_id", "school", "day", "school_day", "kind", "description", "updated_at"),
    "person": ("id", "source_id", "public_id", "kind", "given_name", "family_name", "name_key", "email", "status"),
    "course": ("id", "source_id", "title", "course_code", "school", "status"),
    "section": ("id", "source_id", "public_id", "title", "class_code", "course", "school", "periods", "room",
                "status"),
    "section_term": ("id", "section", "term"),
    "section_enrollment": ("id", "source_id", "section", "person", "role", "is_primary", "begin_date", "end_date",
                           "status"),
    "line_item": ("id", "source_id", "section", "title", "category", "assign_date", "due_date", "grading_period",
                  "points_possible", "status"),
    "result": ("id", "source_id", "line_item", "student", "score", "score_status", "missing", "late", "exempt",
               "comment", "score_date", "updated_at", "status"),
    "term_grade": ("id", "source_id", "student", "section", "term", "grade", "percent", "comment", "updated_at"),
    "attendance_event": ("id", "source_id", "student", "school", "event_date", "section", "period", "category",
                         "reason", "updated_at"),
    "household": ("id", "source_id", "name", "address_line1", "address_line2", "city", "state", "postal_code"),
    "household_member": ("id", "household", "person"),
    "contact_phone": ("id", "person", "kind", "number"),
}


class BulkRows:
    """Buffers rows per table and writes them in chunks through the importers' TableWriter (COPY on
    PostgreSQL, executemany on SQLite), in one transaction of `app.database.transaction()`: the one way
    Homeroom writes in bulk, and nothing blocks the event loop. Ids are assigned here (from the table's
    current maximum) so rows can refer to each other before they are written; PostgreSQL's sequences are
    moved past them at the end."""

    def __init__(self) -> None:
        self.on_postgres = isinstance(engine(), PostgresEngine)
        self.buffers: dict[str, list[tuple]] = defaultdict(list)
        self.last_id: dict[str, int] = {}
        self.written: dict[str, int] = defaultdict(int)
        self.writer: TableWriter | None = None

    async def __aenter__(self) -> BulkRows:
        self._transaction = transaction()
        await self._transaction.__aenter__()
        try:
            self.writer = TableWriter()
            for table in COLUMNS:
                self.last_id[table] = (await self.writer.fetch(f"SELECT COALESCE(MAX(id), 0) FROM {table}"))[0][0]
        except BaseException as error:
            await self._transaction.__aexit__(type(error), error, error.__traceback__)
            raise
        return self

    async def __aexit__(self, kind, error, trace) -> None:
        try:
            if error is None:
                for table in COLUMNS:
                    await self.flush(table)
                if self.on_postgres:
                    for table in COLUMNS:
                        await self.writer.run(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))")
        except BaseException as failure:
            await self._transaction.__aexit__(type(failure), failure, failure.__traceback__)
            raise
        else:
            await self._transaction.__aexit__(kind, error, trace)
        finally:
            self.writer = None

    def new_id(self, table: str) -> int:
        self.last_id[table] += 1
        return self.last_id[table]

    async def add(self, table: str, *values) -> int:
        """Queue one row (without its id); returns the id it will have."""
        row_id = self.new_id(table)
        await self.put(table, (row_id, *values))
        return row_id

    async def put(self, table: str, row: tuple) -> None:
        buffer = self.buffers[table]
        buffer.append(row)
        if len(buffer) >= CHUNK:
            await self.flush_through(table)

    async def flush_through(self, table: str) -> None:
        """Write the table's buffered rows, and first those of the tables a row refers to: they come
        earlier in COLUMNS (foreign keys)."""
        for earlier in COLUMNS:
            await self.flush(earlier)
            if earlier == table:
                break

    async def count(self, table: str) -> int:
        """The rows the table holds, those queued here included."""
        await self.flush_through(table)
        return (await self.writer.fetch(f"SELECT count(*) FROM {table}"))[0][0]

    async def flush(self, table: str) -> None:
        rows = self.buffers.pop(table, [])
        self.written[table] += await self.writer.insert(table, COLUMNS[table], rows)


# ---- The year ----


@dataclass
class StudentHabits:
    """How a student tends to do: attendance and work habits, drawn once per student."""

    ability: float
    absent: float
    tardy: float
    early: float
    skips: float
    missing: float
    late: float


@dataclass
class YearSummary:
    school_year: int
    rows: dict[str, int] = field(default_factory=dict)


def _habits(rng: random.Random) -> StudentHabits:
    kind = rng.random()
    absent = 0.02 if kind < 0.8 else (0.07 if kind < 0.96 else 0.16)  # chronic absence: about 4 in 100
    return StudentHabits(
        ability=min(0.99, max(0.5, rng.gauss(0.88, 0.07))),
        absent=absent,
        tardy=rng.choice((0.01, 0.02, 0.03, 0.08)),
        early=0.008,
        skips=0.002 if kind < 0.9 else 0.02,
        missing=0.02 if rng.random() < 0.85 else 0.12,
        late=0.04,
    )


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class YearWriter:
    def __init__(self, rows: BulkRows, rng: random.Random, calendar: SchoolCalendar, today: date) -> None:
        self.rows = rows
        self.rng = rng
        self.calendar = calendar
        self.today = today
        self.term_ids: dict[str, int] = {}
        self.course_ids: dict[tuple[int, str], int] = {}
        self.teachers = 0
        self.days_so_far = tuple(d for d in calendar.days if d <= today)

    def moment(self, day: date, hour: int = 20) -> datetime:
        """When something was entered: the evening of a day, never after now."""
        return min(datetime.combine(day, time(hour), tzinfo=timezone.utc), clock.now())

    async def sessions(self) -> None:
        c = self.calendar
        for term in (c.year, *c.semesters, *c.grading_periods):
            self.term_ids[term.source_id] = await self.rows.add(
                "academic_session", term.source_id, term.title, term.kind, term.start, term.end,
                self.term_ids.get(term.parent) if term.parent else None, c.school_year, "active")
        # The weekdays of the year that are not school days (the holidays and breaks of _holidays), as the
        # district's calendar says them (app/rules/school_days.py): the digest counts school days with them.
        school_days, day = set(c.days), c.year.start
        while day <= c.year.end:
            if day.weekday() < 5 and day not in school_days:
                alone = (day - timedelta(days=1) in school_days or day.weekday() == 0) and \
                    (day + timedelta(days=1) in school_days or day.weekday() == 4)
                await self.rows.add("calendar_date", f"demo-{c.school_year}:*:{day.isoformat()}", None, day, False,
                                    "holiday" if alone else "break", "", clock.now())
            day += timedelta(days=1)

    async def course(self, school: int, title: str) -> int:
        key = (school, title)
        if key not in self.course_ids:
            code = "".join(w[0] for w in title.split() if w[0].isalnum()).upper() + str(len(self.course_ids) + 1)
            self.course_ids[key] = await self.rows.add(
                "course", f"demo-course-{len(self.course_ids) + 1}", title, code, school, "active")
        return self.course_ids[key]

    async def teacher(self, school: int) -> int:
        self.teachers += 1
        female = self.rng.random() < 0.7
        given = self.rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        family = self.rng.choice(FAMILY_NAMES)
        return await self.rows.add("person", f"demo-teacher-{self.teachers:06d}", _uuid(self.rng), "teacher",
                                   given, family, person_name_key(given, family), None, "active")

    async def section(self, *, school: int, course_title: str, letter: str, period: str, room: str,
                      teacher: int, term: Term, students: list[int]) -> int:
        course = await self.course(school, course_title)
        section = self.rows.new_id("section")
        await self.rows.put("section", (
            section, f"demo-section-{section}", str(_uuid(self.rng)), f"{course_title} {letter}",
            f"{course_title[:3].upper()}-{letter}", course, school, period, room, "active"))
        await self.rows.add("section_term", section, self.term_ids[term.source_id])
        await self.rows.add("section_enrollment", f"demo-enr-t{section}", section, teacher, "teacher", True,
                            term.start, term.end, "active")
        for student in students:
            await self.rows.add("section_enrollment", f"demo-enr-{section}-{student}", section, student, "student",
                                False, term.start, term.end, "active")
        return section

    async def assignments(self, section: int, term: Term, students: list[int], habits: dict[int, StudentHabits],
                          categories: tuple[str, ...], every: int) -> None:
        """An assignment every few school days, scores for those due before today, and a term grade per
        grading period begun."""
        earned: dict[tuple[int, int], list] = defaultdict(lambda: [0.0, 0.0, None])
        offset = self.rng.randrange(every)
        for n, due in enumerate(term.days[offset::every], start=1):
            category = categories[n % len(categories)]
            points = CATEGORIES.get(category, 20.0)
            period = self.calendar.grading_period_of(due)
            assigned = term.days[max(0, term.days.index(due) - self.rng.randint(1, 4))]
            item = await self.rows.add("line_item", f"demo-li-{section}-{n}", section, f"{category} {n}", category,
                                       assigned, due, self.term_ids[period.source_id], points, "active")
            if due >= self.today:
                continue
            for student in students:
                h = habits[student]
                roll = self.rng.random()
                late = missing = exempt = False
                if roll < 0.01:
                    exempt, score, status = True, None, "exempt"
                elif roll < 0.01 + h.missing:
                    missing, score, status = True, 0.0, "not submitted"
                else:
                    fraction = min(1.0, max(0.3, self.rng.gauss(h.ability, 0.08)))
                    late = self.rng.random() < h.late
                    if late:
                        fraction *= 0.9
                    score, status = round(points * fraction * 2) / 2, "fully graded"
                graded_on = min(due + timedelta(days=self.rng.randint(1, 4)), self.today)
                updated = self.moment(graded_on)
                await self.rows.add("result", f"demo-res-{item}-{student}", item, student, score, status, missing,
                                    late, exempt, "", graded_on, updated, "active")
                if not exempt:
                    total = earned[(student, self.term_ids[period.source_id])]
                    total[0] += score
                    total[1] += points
                    total[2] = updated if total[2] is None else max(total[2], updated)
        for (student, period), (score, possible, updated) in sorted(earned.items()):
            percent = round(100 * score / possible, 1)
            await self.rows.add("term_grade", f"demo-tg-{section}-{student}-{period}", student, section, period,
                                letter_grade(percent), percent, "", updated)

    def day_category(self, h: StudentHabits) -> tuple[str, str]:
        """A school day's own category and reason, as likely as the student's habits make them."""
        rng = self.rng
        roll = rng.random()
        if roll < h.absent:
            category = "excused-absence" if rng.random() < 0.7 else "unexcused-absence"
            return category, rng.choice(ABSENCE_REASONS[category])
        if roll < h.absent + h.tardy:
            return "tardy", rng.choice(ABSENCE_REASONS["tardy"])
        if roll < h.absent + h.tardy + h.early:
            return "early-departure", rng.choice(ABSENCE_REASONS["early-departure"])
        return "present", ""

    async def attendance(self, school: int, student: int, h: StudentHabits,
                         timetable: dict[str, list[tuple[str, int]]]) -> None:
        """One daily event every school day so far, and period events wherever a day was not plain present.
        `timetable` maps a semester to its (period, section) pairs; elementary students have none."""
        rng, add = self.rng, self.rows.add
        for day in self.days_so_far:
            periods = timetable.get("s2" if day.year == self.calendar.school_year else "s1", [])
            daily_id = f"demo-att-{school}-{student}-{day:%Y%m%d}"
            entered = self.moment(day, 15)
            category, reason = self.day_category(h)
            await add("attendance_event", daily_id, student, school, day, None, "", category, reason, entered)
            if category in ("excused-absence", "unexcused-absence"):
                noted = periods  # absent all day: every class
            elif category == "tardy":
                noted = periods[:1]
            elif category == "early-departure":
                noted = periods[rng.randrange(2, 6):]
            else:
                noted = []
                if periods and rng.random() < h.skips:
                    noted, category, reason = [rng.choice(periods)], "unexcused-absence", "Skipped class"
            for period, section in noted:
                await add("attendance_event", f"{daily_id}-{period}", student, school, day, section, period,
                          category, reason, entered)

    async def last_year_attendance(self, target: int, cohorts: dict[tuple[int, str], list[int]],
                                   habits: dict[int, StudentHabits], grades_taught: dict[int, tuple[str, ...]]) -> None:
        """Until the table holds `target` attendance events: last school year's daily attendance, one event
        a student a school day, whole days from its last school day backwards (at most the whole year).
        Each student as they were last year, with this year's habits: kindergartners were not yet in school;
        the others were a grade lower, at the same school unless it is one of the demo's (`grades_taught`)
        and does not teach that grade (a sixth grader came from an elementary school). Only daily events:
        last year's timetables are not kept. The portal never shows them: it reads attendance by this
        year's terms and the last 14 days, and a summer lies between."""
        have = await self.rows.count("attendance_event")
        if have >= target:
            return
        taught_by: dict[str, list[int]] = defaultdict(list)  # grade: the demo's schools that teach it
        for school, grades in sorted(grades_taught.items()):
            for grade in grades:
                taught_by[grade].append(school)
        students = []
        for (school, grade), group in sorted(cohorts.items()):
            if _grade_number(grade) == 0:
                continue
            previous = GRADES[GRADES.index(grade) - 1] if grade in GRADES else None
            stays = school not in grades_taught or previous in grades_taught[school] or not taught_by[previous]
            for student in group:
                students.append((school if stays else self.rng.choice(taught_by[previous]), student))
        last_year = school_calendar(self.calendar.school_year - 1)
        for day in reversed(last_year.days):
            if have >= target or not students:
                break
            entered = self.moment(day, 15)
            for school, student in students:
                category, reason = self.day_category(habits[student])
                await self.rows.add("attendance_event", f"demo-att-{school}-{student}-{day:%Y%m%d}", student,
                                    school, day, None, "", category, reason, entered)
            have += len(students)

    async def elementary_cohort(self, school: int, grade: str, letter: str, students: list[int],
                                habits: dict[int, StudentHabits]) -> None:
        teacher = await self.teacher(school)
        room = str(100 + self.teachers % 60)
        section = await self.section(school=school, course_title=f"{_grade_title(grade)} Homeroom", letter=letter,
                                     period="HR", room=room, teacher=teacher, term=self.calendar.year,
                                     students=students)
        await self.assignments(section, self.calendar.year, students, habits,
                               ("Reading", "Math", "Writing", "Science", "Social Studies"), 2)
        for student in students:
            await self.attendance(school, student, habits[student], {})

    async def secondary_cohort(self, school: int, grade: str, index: int, students: list[int],
                               habits: dict[int, StudentHabits], teachers: dict[tuple[str, int], int]) -> None:
        letter = chr(ord("A") + index % 26) + ("" if index < 26 else str(index // 26))
        timetable: dict[str, list[tuple[str, int]]] = {"s1": [], "s2": []}
        categories = ("Homework", "Classwork", "Quiz", "Homework", "Test", "Project")
        for slot, titles in enumerate(courses_for(grade, index)):
            period = str((slot + index) % 7 + 1)
            # A teacher takes six cohorts of one course, each in a different period.
            key = (f"{grade}-{slot}", index // SECTIONS_PER_TEACHER)
            if key not in teachers:
                teachers[key] = await self.teacher(school)
            teacher = teachers[key]
            room = f"{'ABCDEFG'[slot]}{100 + (teacher % 40)}"
            terms = (self.calendar.year,) if len(titles) == 1 else self.calendar.semesters
            for title, term in zip(titles, terms):
                section = await self.section(school=school, course_title=title, letter=letter, period=period,
                                             room=room, teacher=teacher, term=term, students=students)
                await self.assignments(section, term, students, habits, categories, 5)
                for semester in ("s1", "s2") if len(titles) == 1 else (term.source_id[-2:],):
                    timetable[semester].append((period, section))
        for semester in timetable.values():
            semester.sort(key=lambda pair: int(pair[0]))
        for student in students:
            await self.attendance(school, student, habits[student], timetable)

    async def visiting_class(self, school: int, students: list[int]) -> None:
        habits = {student: _habits(self.rng) for student in students}
        teacher = await self.teacher(school)
        section = await self.section(school=school, course_title="Geometry", letter="Z", period="0",
                                     room=f"A{100 + teacher % 40}", teacher=teacher, term=self.calendar.year,
                                     students=students)
        await self.assignments(section, self.calendar.year, students, habits, ("Homework", "Quiz", "Test"), 5)

    async def households(self, links: list[dict]) -> None:
        """A household per family: guardians and students joined by guardian links, one address, phones.
        An emergency contact (a link that is not a guardian's) lives elsewhere: a mobile phone, no household."""
        family_names = {link["guardian"]: link["family_name"] for link in links}
        contacts = {link["guardian"] for link in links if not link["is_guardian"]}
        links = [link for link in links if link["is_guardian"]]
        parent: dict[int, int] = {}

        def find(person: int) -> int:
            root = parent.setdefault(person, person)
            while root != parent[root]:
                root = parent[root]
            parent[person] = root
            return root

        for link in links:
            parent[find(link["guardian"])] = find(link["student"])
        guardians = {link["guardian"] for link in links}
        families: dict[int, list[int]] = defaultdict(list)
        for person in sorted(parent):
            families[find(person)].append(person)
        rng = self.rng
        for number, members in enumerate(sorted(families.values()), start=1):
            street = f"{rng.randint(10, 9999)} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}"
            line2 = f"Apt {rng.randint(1, 40)}" if rng.random() < 0.2 else ""
            name = next(family_names[p] for p in members if p in family_names)
            household = await self.rows.add(
                "household", f"demo-household-{number:06d}", f"{name} household", street, line2, "Atlanta",
                "GA", f"303{rng.randint(0, 99):02d}")
            home_phone = demo_phone(rng) if rng.random() < 0.4 else None
            for person in members:
                await self.rows.add("household_member", household, person)
                if person in guardians:
                    await self.rows.add("contact_phone", person, "mobile", demo_phone(rng))
                    if home_phone:
                        await self.rows.add("contact_phone", person, "home", home_phone)
        for contact in sorted(contacts - guardians):
            await self.rows.add("contact_phone", contact, "mobile", demo_phone(rng))


def demo_phone(rng: random.Random) -> str:
    """A plausible Atlanta number in E.164 (made with phonenumbers, never by hand)."""
    while True:
        area = rng.choice(("404", "470", "678", "770"))
        number = phonenumbers.parse(f"+1{area}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}", None)
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


async def fill_school_year(*, seed: int, today: date | None = None, households: bool = True,
                           attendance_events: int = 0) -> YearSummary:
    """Write this school year (the one `today` falls in; the portal's clock by default) for every active
    student already in the database, and (unless told not to) a household per family. When the attendance
    so far makes fewer than `attendance_events` events, last school year's daily attendance tops it up
    (`YearWriter.last_year_attendance`), so a district's size does not depend on the date."""
    today = today or clock.now().date()
    calendar = school_calendar(school_year_of(today))
    rng = random.Random(seed * 7919 + calendar.school_year)
    enrollments = await SchoolEnrollment.select(
        SchoolEnrollment.student, SchoolEnrollment.school, SchoolEnrollment.grade
    ).where(SchoolEnrollment.status == "active").order_by(SchoolEnrollment.id)
    cohorts: dict[tuple[int, str], list[int]] = defaultdict(list)
    # A student enrolled at a second school (an eighth grader taking high-school math) has a timetable at
    # the first and one zero-period class at the second.
    visiting: dict[int, list[int]] = defaultdict(list)
    placed: set[int] = set()
    for row in enrollments:
        if row["student"] in placed:
            visiting[row["school"]].append(row["student"])
        else:
            placed.add(row["student"])
            cohorts[(row["school"], row["grade"])].append(row["student"])
    # Read before BulkRows opens its transaction, which takes the SQLite write lock.
    links = await GuardianLink.select(
        GuardianLink.guardian, GuardianLink.student, GuardianLink.is_guardian,
        GuardianLink.guardian.family_name.as_alias("family_name")
    ).order_by(GuardianLink.id) if households else []
    # The demo's schools and the grades they teach: where a student was last year.
    grades_taught = {row["id"]: demo.grades for row in await School.select(School.id, School.source_id)
                     for demo in SCHOOLS if demo.source_id == row["source_id"]} if attendance_events else {}
    all_habits: dict[int, StudentHabits] = {}
    async with BulkRows() as rows:
        writer = YearWriter(rows, rng, calendar, today)
        await writer.sessions()
        for (school, grade), students in sorted(cohorts.items()):
            students.sort()
            habits = {student: _habits(rng) for student in students}
            all_habits.update(habits)
            elementary = _is_elementary(grade)
            size = COHORT_SIZE["elementary" if elementary else "secondary"]
            teachers: dict[tuple[str, int], int] = {}
            for index, start in enumerate(range(0, len(students), size)):
                group = students[start:start + size]
                if elementary:
                    await writer.elementary_cohort(school, grade, chr(ord("A") + index % 26), group, habits)
                else:
                    await writer.secondary_cohort(school, grade, index, group, habits, teachers)
        for school, students in sorted(visiting.items()):
            await writer.visiting_class(school, sorted(students))
        if households:
            await writer.households(links)
        if attendance_events:  # last, so the rest of the year is the same whatever the target
            await writer.last_year_attendance(attendance_events, cohorts, all_habits, grades_taught)
    return YearSummary(calendar.school_year, dict(rows.written))
