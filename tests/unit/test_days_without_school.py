"""school_calendar.days_without_school, the one rule home, the attendance page, the absence alerts and the
attendance import share for a day that was no school day (a weekend day, a closure)."""

from __future__ import annotations

from datetime import date

from app.rules.school_days import Entry, SchoolCalendar
from app.services.school_calendar import days_without_school

YEAR = ((date(2025, 8, 1), date(2026, 6, 30)),)
SATURDAY_AFTER_THE_YEAR = date(2026, 7, 11)
HOLIDAY_AFTER_THE_YEAR = date(2026, 7, 3)  # a Friday


def test_a_weekend_day_or_a_closure_outside_the_school_year_is_still_no_school_day():
    """The absence alerts' calendar carries the years' spans: a Saturday after the last day was read as "after
    the year" (no words, so not one of these days) and its absence was emailed (an attacker's find)."""
    closure = Entry(HOLIDAY_AFTER_THE_YEAR, None, False, "holiday", "Independence Day (observed)")
    calendar = SchoolCalendar(YEAR, {HOLIDAY_AFTER_THE_YEAR: (closure,)})
    found = days_without_school(calendar, {SATURDAY_AFTER_THE_YEAR, HOLIDAY_AFTER_THE_YEAR, date(2026, 7, 6)}, ())
    assert found == {SATURDAY_AFTER_THE_YEAR: "a weekend day", HOLIDAY_AFTER_THE_YEAR: "Independence Day (observed)"}


def test_the_same_days_without_the_spans_give_the_same_answer():
    closure = Entry(HOLIDAY_AFTER_THE_YEAR, None, False, "holiday", "Independence Day (observed)")
    with_spans = SchoolCalendar(YEAR, {HOLIDAY_AFTER_THE_YEAR: (closure,)})
    without = SchoolCalendar(entries={HOLIDAY_AFTER_THE_YEAR: (closure,)})
    days = {date(2026, 7, d) for d in range(1, 15)} | {date(2026, 3, d) for d in range(1, 15)}
    assert days_without_school(with_spans, days, (1,)) == days_without_school(without, days, (1,))
