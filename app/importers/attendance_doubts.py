"""What makes an attendance event probably wrong though it can be imported (a district IT lead's and a clerk's
find: such rows went in without a word). Each is a WARNING on the event's line, naming the value; the event is
imported as before and the run's outcome is the same:
- a class the student is not enrolled in (no enrollment of theirs in it at all, not even an ended one);
- a day in no school year Homeroom has from the SIS (a typo in the year);
- a day that was no school day for the student: a weekend day the calendar does not make a school day, or a day
  it closed (app/services/school_calendar.py, as home and the attendance page read a day: shown, not counted);
- two lines for the same student, day and class period (or whole day) with different categories: which line
  the portal keeps, or that it keeps both (two event ids) and counts both.

The reads are done once per import, not per line: the class enrollments (only when the file has a class
column), the calendar's days and, when the calendar closes single schools, every student's schools. The events
already read are held by day to compare the next lines with, up to HELD_EVENTS of them: beyond that the days
read longest ago are let go (never the day being read), so a file sorted by day, as SIS exports are, is compared
in full whatever its length, and a run that could not compare every line says so in a NOTE.
"""

from __future__ import annotations

from datetime import date

from app.importers.problems import ImportReport
from app.importers.table_writes import TableWriter
from app.rules.school_days import SchoolCalendar
from app.services.school_calendar import days_without_school, load_calendar, schools_of

HELD_EVENTS = 1_000_000  # events held to compare lines with (about 120 MB), the day being read's included
HELD_DAYS = 1_000  # days held (each a dict of its own): nearly three years of days, a file sorted by day holds one
MOST_PLACES = 4_096  # different (period, slot) pairs: a school has a few dozen; beyond, lines are not compared
# A held event is two ints: its key (where: period and slot, class, student) and what it was (event id's hash,
# line, category). Ids are 32-bit serials (Piccolo's Serial), so (person << ID_BITS) | section is exact.
ID_BITS = 32
LINE_BITS, LINE_MASK = 40, (1 << 40) - 1
CATEGORY_BITS, CATEGORY_MASK = 3, (1 << 3) - 1
HASH_MASK = (1 << 64) - 1

# What the portal does with an event on a day that was no school day (app/services/records.py): an absence, a
# tardy or an early departure is shown, marked not counted; a present is neither shown nor counted.
SHOWN_NOT_COUNTED = "the event is imported, and the portal shows it but does not count it"
PRESENT_COUNTED = ("is the date right? The event is imported, and the attendance page does not count this "
                   "'present' among the school days recorded")
PERIOD_PRESENT = "is the date right? The event is imported all the same"
NO_ENROLLMENT = "Homeroom has no enrollment of theirs in it, not even an ended one"
ONE_EVENT = "the two lines are one event, so only this later line is kept"
TWO_EVENTS = "both are kept, as two events (the lines' eventSourcedId or school differ)"


class Doubts:
    """The checks for one file, fed each event that is imported (`check`), in the file's order."""

    def __init__(self, report: ImportReport, file: str, slots: dict[str, str], enrolled: set[int] | None,
                 calendar: SchoolCalendar, schools: dict[int, tuple[int, ...]]) -> None:
        self.report, self.file = report, file
        self.slots = slots  # category -> slot (app/importers/attendance.py SLOTS)
        self._categories = tuple(slots)
        self._category_numbers = {category: n for n, category in enumerate(self._categories)}
        assert len(self._categories) <= 1 << CATEGORY_BITS
        self.enrolled = enrolled  # (person << ID_BITS) | section of every class enrollment; None: not read
        self.calendar, self.schools = calendar, schools
        self._days: dict[tuple[date, tuple[int, ...]], str] = {}  # (day, schools) -> what it was, "" a school day
        self._held: dict[date, dict[int, int]] = {}  # day -> where -> what (_other_lines)
        self._held_count = 0
        self._places: dict[tuple[str, str], int] = {}  # (period, slot) -> a number for the held events' keys
        self._day: date | None = None
        self._let_go: set[date] = set()
        self.compared_all = True

    @classmethod
    async def load(cls, writer: TableWriter, report: ImportReport, file: str, slots: dict[str, str], *,
                   classes: bool) -> Doubts:
        enrolled = None
        if classes:  # every enrollment, active or ended, of anyone: the file may name any class
            enrolled = {key for key, in await writer.fetch(
                f"SELECT (person * {1 << ID_BITS}) + section FROM section_enrollment")}
        calendar = await load_calendar(date.min, date.max)  # every entry, and the school years' spans
        by_school = any(entry.school is not None for entries in calendar.entries.values() for entry in entries)
        return cls(report, file, slots, enrolled, calendar, await schools_of(None) if by_school else {})

    def check(self, line: int, student: int, day: date, day_text: str, section: int | None, section_sid: str,
              period: str, category: str, source_id: str) -> None:
        if section is not None and self.enrolled is not None and (student << ID_BITS | section) not in self.enrolled:
            self.report.named_warning(
                "class", self.file, line, "sectionSourcedId",
                f"'{section_sid[:40]}' is a class the line's student is not enrolled in ({NO_ENROLLMENT}): the event is "
                f"imported all the same",
                f"is a class the line's student is not enrolled in, as with the classes named above ({NO_ENROLLMENT}): "
                f"the event is imported all the same")
        if self.calendar.years and self.calendar.year_of(day) is None:
            # A typo in the year (2062 for 2026) or an export of the wrong year (a tester's find: not flagged).
            spans = "; ".join(f"{first:%m/%d/%Y} to {last:%m/%d/%Y}" for first, last in self.calendar.years[-3:])
            self.report.named_warning(
                "outside the school years", self.file, line, "date",
                f"'{day_text[:40]}' is in no school year Homeroom has from the SIS ({spans}): is the year right? The "
                f"event is imported all the same",
                "the date is in no school year Homeroom has from the SIS, as on the days named above: is the year "
                "right? The event is imported all the same")
        elif day.weekday() >= 5 or day in self.calendar.entries:
            self._no_school_day(line, student, day, day_text, category, period)
        self._other_lines(line, student, day, section, section_sid, period, category, source_id)

    def _no_school_day(self, line: int, student: int, day: date, day_text: str, category: str, period: str) -> None:
        schools = self.schools.get(student, ())
        what = self._days.get((day, schools))
        if what is None:
            what = self._days[day, schools] = days_without_school(self.calendar, (day,), schools).get(day, "")
        if what:
            then = SHOWN_NOT_COUNTED if category != "present" else PERIOD_PRESENT if period else PRESENT_COUNTED
            # Weekend days and closures are named apart: in a file in date order the first days named were all
            # weekends, and the closures (a snow day, a holiday: the rows that suggest the calendar or the SIS is
            # wrong) were never named (a tester's find).
            closed = any(not entry.school_day for entry in self.calendar.entries.get(day, ()))
            kind, words = ("closure", "a day the school calendar closed") if closed or day.weekday() < 5 else (
                "weekend", "a weekend day")
            self.report.named_warning(
                f"no school day, {kind}: {then}", self.file, line, "date",
                f"'{day_text[:40]}' was not a school day for the line's student ({what}): {then}",
                f"the date was {words} for the line's student, as on the days named above: {then}")

    def _other_lines(self, line: int, student: int, day: date, section: int | None, section_sid: str, period: str,
                     category: str, source_id: str) -> None:
        """The line before this one for the same student, day, class, period and slot (app/importers/attendance.py
        SLOTS: a present and an absence are one slot, a tardy another), when its category differs. Each event is
        held as two ints (about 120 bytes), so a week of a large district's events fits."""
        held = self._held.get(day)
        if held is None:
            held = self._hold(day)
        elif day != self._day:
            self._held[day] = self._held.pop(day)  # the most recently read day is let go last
        self._day = day
        slot = self.slots[category]
        place = self._places.get((period, slot))
        if place is None:
            if len(self._places) >= MOST_PLACES:  # a free-text period, or a hostile file: memory stays bounded
                self.compared_all = False
                return
            place = self._places[period, slot] = len(self._places)
        key = (place << ID_BITS | (section or 0)) << ID_BITS | student
        identity = hash(source_id) & HASH_MASK  # the same event id, the same hash (two others: 1 in 2**64 alike)
        earlier = held.get(key)
        if earlier is None:
            if self._held_count >= HELD_EVENTS:
                self._let_go_of_other_days()
                if self._held_count >= HELD_EVENTS:  # all of them this day's: this line is not held
                    self.compared_all = False
                    return
            self._held_count += 1
        held[key] = ((identity << LINE_BITS) | line) << CATEGORY_BITS | self._category_numbers[category]
        if earlier is None:
            return
        earlier_category = self._categories[earlier & CATEGORY_MASK]
        if earlier_category == category:
            return
        earlier_line = earlier >> CATEGORY_BITS & LINE_MASK
        scope = ", ".join(([f"class '{section_sid[:40]}'"] if section_sid else []) + ([f"period '{period}'"] if period
                                                                                     else [])) or "whole day"
        if earlier >> CATEGORY_BITS + LINE_BITS == identity:
            outcome_kind, outcome = "one event", ONE_EVENT
        else:
            outcome_kind = "two events"
            # The attendance page reads an event without a period as the day's own (app/services/records.py).
            outcome = TWO_EVENTS + (f", so the attendance page counts the day as both '{earlier_category}' and "
                                    f"'{category}'" if not period else
                                    ", so the portal has two different records of this class period")
        self.report.named_warning(
            outcome_kind, self.file, line, "category",
            f"says '{category}' but line {earlier_line} says '{earlier_category}' for the same student and day "
            f"({scope}): {outcome}",
            f"says another category than an earlier line for the same student and day (the same class period, or "
            f"whole day), as the lines named above do: {ONE_EVENT if outcome_kind == 'one event' else TWO_EVENTS}")

    def _hold(self, day: date) -> dict:
        """A day's events, from none (a day let go before is read again: its earlier lines are not compared)."""
        if day in self._let_go:
            self.compared_all = False
        held = self._held[day] = {}
        while len(self._held) > HELD_DAYS:  # one event a day for a million days held a million dicts
            gone = next(iter(self._held))
            self._held_count -= len(self._held.pop(gone))
            self._let_go.add(gone)
        return held

    def _let_go_of_other_days(self) -> None:
        """More than HELD_EVENTS events held: the days read longest ago go, never the one being read (a file sorted
        by student rather than by day lets go of days again and again, and says so at the end)."""
        while self._held_count >= HELD_EVENTS and len(self._held) > 1:
            gone = next(iter(self._held))
            self._held_count -= len(self._held.pop(gone))
            self._let_go.add(gone)

    def finish(self) -> None:
        if not self.compared_all:
            self.report.note(f"{self.file}: not every line was compared with the earlier lines of its day (to keep "
                             f"the import's memory bounded, at most {HELD_EVENTS:,} events, {HELD_DAYS:,} days and "
                             f"{MOST_PLACES:,} different periods are held; a file not in date order lets days go and "
                             f"reads them again), so two lines for the same event with different categories may "
                             f"not all be named above (sort the file by date to compare them all)")
