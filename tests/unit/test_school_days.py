"""Which days are school days (app/rules/school_days.py): weekdays of the school year, minus closures for
the whole district or for every one of the child's schools, plus weekend make-up days."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings, strategies as st

from app.rules.school_days import Entry, SchoolCalendar, kind_of, kind_of_edfi_events, weekdays_between

YEAR = ((date(2025, 8, 11), date(2026, 5, 29)),)
MAPLE, OAK = 1, 2
LABOR_DAY = Entry(date(2025, 9, 1), None, False, "holiday", "Labor Day")
OAK_SNOW = Entry(date(2026, 1, 15), OAK, False, "weather")
MAKE_UP = Entry(date(2026, 1, 31), OAK, True, "make-up")  # a Saturday
OAK_OPEN = Entry(date(2025, 9, 1), OAK, True, "school-day")  # the SIS still calls Labor Day a school day


def calendar(*entries: Entry) -> SchoolCalendar:
    found: dict = {}
    for e in entries:
        found.setdefault(e.day, []).append(e)
    return SchoolCalendar(YEAR, {d: tuple(es) for d, es in found.items()})


def test_weekends_closures_make_up_days_and_the_year_bounds():
    days = calendar(LABOR_DAY, OAK_SNOW, MAKE_UP, OAK_OPEN)
    assert days.is_school_day(date(2026, 3, 10), (MAPLE,))
    assert days.why_not(date(2026, 3, 14), (MAPLE,)).why == "weekend"
    # A district closure wins over a school's own "school day" entry.
    closed = days.why_not(date(2025, 9, 1), (OAK,))
    assert closed.why == "closed" and closed.entry.description == "Labor Day"
    # Oak's snow day closes Oak, not Maple; a child at both schools still has school.
    assert days.why_not(date(2026, 1, 15), (OAK,)).entry.kind == "weather"
    assert days.is_school_day(date(2026, 1, 15), (MAPLE,)) and days.is_school_day(date(2026, 1, 15), (MAPLE, OAK))
    assert days.is_school_day(date(2026, 1, 31), (OAK,)) and not days.is_school_day(date(2026, 1, 31), (MAPLE,))
    after = days.why_not(date(2026, 6, 1), (MAPLE,))
    assert (after.why, after.year_last) == ("after-year", date(2026, 5, 29))
    assert days.why_not(date(2025, 8, 4), ()).why == "before-year"
    assert SchoolCalendar().is_school_day(date(2026, 7, 6))  # no school year known: weekdays


def test_counting_school_days():
    days = calendar(LABOR_DAY, OAK_SNOW, MAKE_UP)
    weekdays = weekdays_between(date(2025, 8, 11), date(2026, 3, 13))
    assert days.count_school_days(date(2025, 8, 11), date(2026, 3, 13), (MAPLE,)) == weekdays - 1
    assert days.count_school_days(date(2025, 8, 11), date(2026, 3, 13), (OAK,)) == weekdays - 1 - 1 + 1
    # From before the year starts: the weekdays before 11 August are not school days.
    assert days.count_school_days(date(2025, 8, 1), date(2025, 8, 15), (MAPLE,)) == 5
    # A school year the SIS sent with no end (9999-12-31): counted, no day after it looked for (an attacker's find).
    endless = SchoolCalendar(((date(2025, 8, 11), date(9999, 12, 31)),), {})
    assert endless.count_school_days(date(2025, 8, 11), date(2026, 3, 13)) == weekdays
    assert endless.count_school_days(date(2025, 8, 11), date(9999, 12, 31)) > 0


@settings(max_examples=60, deadline=None)
@given(st.dates(date(2025, 7, 1), date(2026, 7, 1)), st.integers(0, 120),
       st.lists(st.tuples(st.integers(0, 400), st.sampled_from([None, MAPLE, OAK]), st.booleans()), max_size=12),
       st.sampled_from([(), (MAPLE,), (OAK,), (MAPLE, OAK)]))
def test_the_fast_count_is_the_day_by_day_count(first, span, raw, schools):
    entries = [Entry(date(2025, 7, 1) + timedelta(days=n), school, open_, "x") for n, school, open_ in raw]
    days = calendar(*entries)
    last = first + timedelta(days=span)
    assert days.count_school_days(first, last, schools) == len(days.school_days(first, last, schools))


def test_shortened_days_are_school_days():
    """An attacker's find (issue 13): "Early release" was an unknown kind, read as closed, which took the
    day's absences out of every count and alert."""
    for word in ("Early release", "Half day", "minimum day", "Delayed opening", "Late start", "2-hour delay",
                 "Early Dismissal Day", "Late Arrival Day", "Shortened Day", "Half Days", "3-Hour Delay",
                 "Late Opening", "Late Start Monday", "1/2 Day", "Noon Dismissal", "Abbreviated Day",
                 "Modified Day", "Salida temprano"):
        assert kind_of(word) == "late-arrival", word
    for word in ("E-Learning Day", "Remote learning day", "Virtual day"):
        assert kind_of(word) == "school-day", word
    assert kind_of("Saturday School") == "make-up"
    from app.rules.school_days import kind_is_guessed

    assert kind_is_guessed("Late Start Monday") and not kind_is_guessed("early release") \
        and not kind_is_guessed("Presidents Day")
    assert kind_of("Snow day make-up") == "make-up"
    for closure in ("Snow day", "Winter break", "Presidents Day", "Non-instructional day", "Teacher work day"):
        assert kind_of(closure) != "late-arrival" and kind_of(closure) not in ("make-up", "school-day"), closure


def test_the_words_districts_write_and_ed_fis_events():
    assert [kind_of(t) for t in ("Holiday", "snow day", "Make-up Day", "SCHOOL DAY", "Teacher work day",
                                 "Labor Day")] == ["holiday", "weather", "make-up", "school-day", "teacher-only", None]
    assert kind_of_edfi_events(["Holiday"]) == "holiday"
    assert kind_of_edfi_events(["Weather day", "Instructional day"]) == "school-day"  # a shortened day
    assert kind_of_edfi_events(["Student late arrival/early dismissal"]) == "late-arrival"
    assert kind_of_edfi_events(["Other"]) is None and kind_of_edfi_events(["ID"]) is None
