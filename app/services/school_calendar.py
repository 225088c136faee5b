"""The school calendar as the database has it: the school years' spans (academic sessions) and what the
district said about single days (calendar_date, from Ed-Fi `calendarDates` or `homeroom import calendar`).
The rule that reads them is app/rules/school_days.py."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from app.database import fetch
from app.i18n import gettext
from app.rules.school_days import Entry, NotSchoolDay, SchoolCalendar
from app.tables import AcademicSession, CalendarDate, SchoolEnrollment


async def load_calendar(first: date, last: date) -> SchoolCalendar:
    """Every school year's span (a schoolYear session; a year without one spans its sessions) and the
    entries from first to last. Two queries."""
    spans: dict[int, list] = {}
    for row in await AcademicSession.select(AcademicSession.kind, AcademicSession.start_date,
                                            AcademicSession.end_date, AcademicSession.school_year).where(
            AcademicSession.status == "active"):
        year = row["school_year"]
        own = spans.setdefault(year, [None, None, False])
        if row["kind"] == "schoolYear":
            if not own[2]:
                own[:] = [row["start_date"], row["end_date"], True]
            else:
                own[0], own[1] = min(own[0], row["start_date"]), max(own[1], row["end_date"])
        elif not own[2]:
            own[0] = row["start_date"] if own[0] is None else min(own[0], row["start_date"])
            own[1] = row["end_date"] if own[1] is None else max(own[1], row["end_date"])
    entries = _entries(await CalendarDate.select(CalendarDate.day, CalendarDate.school, CalendarDate.school_day,
                                                 CalendarDate.kind, CalendarDate.description).where(
        (CalendarDate.day >= first) & (CalendarDate.day <= last)))
    years = tuple(sorted((s[0], s[1]) for s in spans.values() if s[0] is not None and s[0] <= s[1]))
    return SchoolCalendar(years, entries)


def _entries(rows) -> dict[date, tuple[Entry, ...]]:
    """calendar_date rows (day, school, school_day, kind, description) by day."""
    entries: dict[date, list[Entry]] = defaultdict(list)
    for row in rows:
        entries[row["day"]].append(Entry(row["day"], row["school"], bool(row["school_day"]), row["kind"],
                                         row["description"]))
    return {day: tuple(found) for day, found in entries.items()}


_CALENDAR_BETWEEN = """
SELECT day, school, school_day, kind, description FROM calendar_date WHERE day BETWEEN {} AND {}
"""


async def calendar_days(first: date, last: date) -> SchoolCalendar:
    """The calendar's entries from first to last, without the school years' spans (`days_without_school` does
    not look at them): one query, the raw statement the records pages run."""
    return SchoolCalendar(entries=_entries(await fetch(_CALENDAR_BETWEEN, first, last)))


def what_the_day_was(why: NotSchoolDay) -> str:
    """What a day that was no school day was, in the current language: the district's description as written
    (never looked up as a message: a closure called "Present" stays "Present"), else the kind's words."""
    if why.why == "closed" and why.entry is not None and why.entry.description:
        return why.entry.description
    return gettext(why.what) if why.what else ""


def days_without_school(calendar: SchoolCalendar, days, schools: tuple[int, ...]) -> dict[date, str]:
    """Which of `days` `calendar` says were no school day for a student at `schools` (a weekend day it did not
    make a school day, or a closure of all their schools or the whole district), with what each was
    (`what_the_day_was`). The school years' spans are not looked at: a Saturday or a holiday is no school day
    whether or not it falls in a school year the SIS has sent (a calendar with the spans, as the absence alerts'
    was, read a Saturday before the first day of school as "before the year", not as a weekend, so its absence
    was emailed: an attacker's find)."""
    judged = SchoolCalendar(entries=calendar.entries) if calendar.years else calendar
    return {day: what_the_day_was(why) for day in days
            if (why := judged.why_not(day, schools)) is not None and why.what}


async def not_school_days(schools: tuple[int, ...], days: set[date]) -> dict[date, str]:
    """`days_without_school` for a student at `schools` (their ids), the calendar's entries for those days
    read here. The school year's span is not looked at (the caller's days are in it). One query (a records page's: the raw statement, not Piccolo's query builder, which cost the
    attendance page 0.4 ms); none when `days` is empty."""
    if not days:
        return {}
    calendar = await calendar_days(min(days), max(days))
    if not calendar.entries and all(day.weekday() < 5 for day in days):
        return {}
    return days_without_school(calendar, days, schools)


async def schools_of(students: list[int] | None) -> dict[int, tuple[int, ...]]:
    """Each student's active schools (their ids), for the closures that apply to them; `None`: every student
    with an active school, in one query (an import's, whatever students its file names)."""
    found: dict[int, set[int]] = defaultdict(set)
    if students is None:
        rows = await fetch("SELECT student, school FROM school_enrollment WHERE status = 'active'")
    else:
        rows = []
        for start in range(0, len(students), 500):
            rows += await SchoolEnrollment.select(SchoolEnrollment.student, SchoolEnrollment.school).where(
                SchoolEnrollment.student.is_in(students[start:start + 500]) & (SchoolEnrollment.status == "active"))
    for row in rows:
        found[row["student"]].add(row["school"])
    return {s: tuple(sorted(found.get(s, ()))) for s in (found if students is None else students)}
