"""Which days are school days (issue 12): the weekdays of the school year, minus the days the district
closed (holidays, breaks, snow days, teacher-only days), plus the weekend days it declared school days
(make-up days). Pure: no database, no clock; app/services/school_calendar.py loads a SchoolCalendar.

The rule, for a day and a child's schools (a closure may be for one school or for the whole district):
1. outside the school year (before its first day or after its last) it is not a school day;
2. a closure for the whole district, or for every one of the child's schools, makes it no school day (a
   closure wins over a school day said elsewhere: a snow day the district announces by CSV stands even when
   the SIS's calendar still calls the day an instructional day);
3. otherwise a weekday is a school day, and so is a weekend day that the district or one of the child's
   schools declared a school day.
A child at two schools has a school day when either school is open. Without any school year in Homeroom
(no academic sessions imported) rule 1 is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from app.rules.errors import N_

# What a calendar entry is: the kind (as stored), whether students attend, and how a parent reads it.
KINDS: dict[str, tuple[bool, str]] = {
    "holiday": (False, N_("a holiday")),
    "break": (False, N_("a school break")),
    "weather": (False, N_("a weather closure")),
    "emergency": (False, N_("an emergency closure")),
    "strike": (False, N_("a strike")),
    "teacher-only": (False, N_("a teacher-only day")),
    "non-instructional": (False, N_("a day without classes")),
    "closed": (False, N_("a day the school is closed")),
    "school-day": (True, N_("a school day")),
    "make-up": (True, N_("a make-up school day")),
    "late-arrival": (True, N_("a late-arrival or early-dismissal day")),
}

# Words a district writes in the CSV's kind column (lower-cased, spaces and dashes squashed) -> kind.
_KIND_WORDS = {
    "holiday": "holiday", "holidays": "holiday",
    "break": "break", "vacation": "break", "recess": "break", "springbreak": "break", "winterbreak": "break",
    "thanksgivingbreak": "break",
    "weather": "weather", "weatherday": "weather", "snow": "weather", "snowday": "weather", "iceday": "weather",
    "emergency": "emergency", "emergencyday": "emergency", "strike": "strike",
    "teacheronly": "teacher-only", "teacheronlyday": "teacher-only", "teacherworkday": "teacher-only",
    "professionaldevelopment": "teacher-only", "staffdevelopment": "teacher-only", "inservice": "teacher-only",
    "noninstructional": "non-instructional", "noninstructionalday": "non-instructional",
    "closed": "closed", "closure": "closed", "noschool": "closed", "other": "closed",
    "schoolday": "school-day", "instructional": "school-day", "instructionalday": "school-day",
    "open": "school-day",
    "makeup": "make-up", "makeupday": "make-up",
    "latearrival": "late-arrival", "earlydismissal": "late-arrival",
    "studentlatearrivalearlydismissal": "late-arrival",
    # Shortened days are school days: read as closed (as an unknown kind is), their absences would not count.
    "earlyrelease": "late-arrival", "earlyreleaseday": "late-arrival", "halfday": "late-arrival",
    "minimumday": "late-arrival", "shortday": "late-arrival", "earlyout": "late-arrival",
    "delayedopening": "late-arrival", "delayedstart": "late-arrival", "latestart": "late-arrival",
    "twohourdelay": "late-arrival", "2hourdelay": "late-arrival",
}

# Ed-Fi's CalendarEventDescriptor values (Data Standard 5) -> kind. "Other" says nothing about school.
EDFI_EVENTS = {
    "instructional day": "school-day", "make-up day": "make-up",
    "student late arrival/early dismissal": "late-arrival",
    "holiday": "holiday", "non-instructional day": "non-instructional", "teacher only day": "teacher-only",
    "weather day": "weather", "emergency day": "emergency", "strike": "strike",
}


def _squashed(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def other_kind_words() -> list[str]:
    """The words the CSV's kind column reads besides the kinds' own names ("snowday", "inservice")."""
    own = {_squashed(kind) for kind in KINDS}
    return [word for word in _KIND_WORDS if word not in own]


# Words that make a day a school day wherever they are in the kind ("Late Start Monday", "3-Hour Delay", "Snow
# day make-up"): an unknown kind is read as closed, which takes the day's absences out of every count and alert,
# so a shortened or made-up day must never fall there.
_SCHOOL_DAY_HINTS = (("makeup", "make-up"), ("saturdayschool", "make-up"), ("early", "late-arrival"),
                     ("late", "late-arrival"), ("delay", "late-arrival"), ("half", "late-arrival"),
                     ("12day", "late-arrival"), ("short", "late-arrival"), ("minimum", "late-arrival"),
                     ("dismissal", "late-arrival"), ("abbreviated", "late-arrival"), ("modified", "late-arrival"),
                     ("temprano", "late-arrival"), ("mediodia", "late-arrival"), ("instructional", "school-day"),
                     ("elearning", "school-day"), ("remote", "school-day"), ("virtual", "school-day"),
                     ("online", "school-day"))


def kind_is_guessed(text: str) -> bool:
    """Whether `kind_of(text)` read the kind from a word in it rather than knowing the whole text."""
    return _squashed(text) not in _KIND_WORDS and kind_of(text) is not None


def kind_of(text: str) -> str | None:
    """The kind for a CSV's kind cell ("Holiday", "snow day", "Make-up day", "school day", "Late Start
    Monday"); None if unknown."""
    squashed = _squashed(text)
    found = _KIND_WORDS.get(squashed)
    if found is None and "non" not in squashed:  # "non-instructional" is a closure (in _KIND_WORDS)
        found = next((kind for hint, kind in _SCHOOL_DAY_HINTS if hint in squashed), None)
    return found


def kind_of_edfi_events(values: list[str]) -> str | None:
    """One kind for a calendar date's events: a school day when any event says students attend (Instructional
    day with a Weather day is a shortened day), else the first closure; None when no event is known."""
    kinds = [EDFI_EVENTS.get(v.strip().lower()) for v in values]
    attending = [k for k in kinds if k and KINDS[k][0]]
    if attending:
        return attending[0]
    return next((k for k in kinds if k), None)


WEEKEND_DAY = N_("a weekend day")


@dataclass(frozen=True)
class Entry:
    day: date
    school: int | None  # None: the whole district
    school_day: bool
    kind: str
    description: str = ""


@dataclass(frozen=True)
class NotSchoolDay:
    """Why a day is not a school day: "weekend", "closed" (with the entry), "before-year" or "after-year"."""

    why: str
    entry: Entry | None = None
    year_first: date | None = None
    year_last: date | None = None

    @property
    def what(self) -> str:
        """What the day was, for a family: a closure's description from the district, else its kind's words;
        "a weekend day" (msgids to translate where shown); "" before or after the school year."""
        if self.why == "weekend":
            return WEEKEND_DAY
        if self.why != "closed" or self.entry is None:
            return ""
        return self.entry.description or KINDS.get(self.entry.kind, (False, KINDS["closed"][1]))[1]


@dataclass(frozen=True)
class SchoolCalendar:
    """The school years' spans (first and last day) and the calendar entries of some range of days."""

    years: tuple[tuple[date, date], ...] = ()
    entries: dict[date, tuple[Entry, ...]] = field(default_factory=dict)

    def year_of(self, day: date) -> tuple[date, date] | None:
        return next((span for span in self.years if span[0] <= day <= span[1]), None)

    def why_not(self, day: date, schools: tuple[int, ...] = ()) -> NotSchoolDay | None:
        """None for a school day; else the reason it is not one."""
        if self.years and self.year_of(day) is None:
            before = [s for s in self.years if s[0] > day]
            after = [s for s in self.years if s[1] < day]
            if before and (not after or min(before)[0] - day < day - max(after, key=lambda s: s[1])[1]):
                first, last = min(before)
                return NotSchoolDay("before-year", year_first=first, year_last=last)
            first, last = max(after, key=lambda s: s[1])
            return NotSchoolDay("after-year", year_first=first, year_last=last)
        entries = self.entries.get(day, ())
        district = [e for e in entries if e.school is None]
        own = [e for e in entries if e.school is not None and e.school in schools]
        closures = [e for e in district if not e.school_day]
        if not closures and schools:
            closed_everywhere = all(any(e.school == s and not e.school_day for e in own) for s in schools)
            if closed_everywhere:
                closures = [e for e in own if not e.school_day]
        if closures:
            return NotSchoolDay("closed", closures[0])
        if day.weekday() >= 5 and not any(e.school_day for e in district + own):
            return NotSchoolDay("weekend")
        return None

    def is_school_day(self, day: date, schools: tuple[int, ...] = ()) -> bool:
        return self.why_not(day, schools) is None

    def school_days(self, first: date, last: date, schools: tuple[int, ...] = ()) -> list[date]:
        return [d for d in _days(first, last) if self.is_school_day(d, schools)]

    def count_school_days(self, first: date, last: date, schools: tuple[int, ...] = ()) -> int:
        """School days from first to last, both included: the weekdays counted in whole weeks, then only
        the days the calendar has something to say about are looked at (a year of 100,000 children stays
        cheap: the entries are tens, not thousands)."""
        if last < first:
            return 0
        count = weekdays_between(first, last)
        for day in self.entries:
            if first <= day <= last:
                count += self.is_school_day(day, schools) - (day.weekday() < 5 and self._in_year(day))
        if self.years:  # weekdays outside every school year are not school days
            count -= sum(weekdays_between(a, b) for a, b in _gaps(first, last, self.years))
        return count

    def _in_year(self, day: date) -> bool:
        return not self.years or self.year_of(day) is not None


def weekdays_between(first: date, last: date) -> int:
    """Monday to Friday from first to last, both included."""
    if last < first:
        return 0
    days = (last - first).days + 1
    whole_weeks, rest = divmod(days, 7)
    count = whole_weeks * 5
    for offset in range(rest):
        if (first + timedelta(days=whole_weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        if day == date.max:
            return
        day += timedelta(days=1)


def _gaps(first: date, last: date, years: tuple[tuple[date, date], ...]) -> list[tuple[date, date]]:
    """The parts of first..last that no school year covers."""
    gaps, cursor = [], first
    for start, end in sorted(years):
        if end < cursor:
            continue
        if start > last:
            break
        if start > cursor:
            gaps.append((cursor, start - timedelta(days=1)))
        if end >= last:  # covered to the end (a year that "never ends", 9999-12-31, has no day after it)
            return gaps
        cursor = max(cursor, end + timedelta(days=1))
    if cursor <= last:
        gaps.append((cursor, last))
    return gaps
