"""The pure rules behind alerts and the weekly digest (issue 12)."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from app.rules.school_days import weekdays_between
from app.rules.alerts import (GradeThreshold, absence_share, after_quiet_hours, check_choices, digest_week_of,
                              grade_is_under, parse_grade_threshold, read_unsubscribe_token,
                              unsubscribe_token, week_days)

ZONE = "America/New_York"


@pytest.mark.parametrize("text, expected", [
    ("C", GradeThreshold(letter="C")), (" b- ", GradeThreshold(letter="B-")), ("70", GradeThreshold(percent=70)),
    ("72.5 %", GradeThreshold(percent=72.5)), ("100%", GradeThreshold(percent=100)),
    ("E", None), ("0", None), ("101", None), ("seventy", None), ("", None),
])
def test_grade_thresholds_are_a_letter_or_a_percentage(text, expected):
    assert parse_grade_threshold(text) == expected


def test_a_grade_is_under_a_letter_threshold_only_when_worse():
    c = GradeThreshold(letter="C")
    assert [g for g in ("A", "B-", "C+", "C", "C-", "D", "F", "P", "") if grade_is_under(c, g, None)] == ["C-", "D", "F"]
    seventy = GradeThreshold(percent=70)
    assert grade_is_under(seventy, "", 69.9) and not grade_is_under(seventy, "F", 70) and not grade_is_under(
        seventy, "F", None)


def _utc(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=timezone.utc)


def test_quiet_hours_move_the_moment_to_their_end_even_across_midnight():
    evening = (time(21, 0), time(7, 0))
    # 22:00 New York (EDT from 8 March: UTC-4) is 02:00 UTC on the 11th: held until 07:00 New York = 11:00 UTC.
    assert after_quiet_hours(_utc(2, day=11), evening, ZONE) == _utc(11, day=11)
    # 06:00 New York on the 11th: held until 07:00 the same morning.
    assert after_quiet_hours(_utc(10, day=11), evening, ZONE) == _utc(11, day=11)
    # 22:00 on the 10th (New York) is held until 07:00 on the 11th.
    assert after_quiet_hours(_utc(2, day=11), evening, ZONE).day == 11
    assert after_quiet_hours(_utc(15), evening, ZONE) == _utc(15)  # 11:00: not quiet
    assert after_quiet_hours(_utc(15), (time(9), time(12, 30)), ZONE) == _utc(16, 30)
    assert after_quiet_hours(_utc(15), None, ZONE) == _utc(15)


def test_the_digest_covers_this_week_from_friday_on_else_the_last_week():
    assert digest_week_of(date(2026, 3, 13)) == date(2026, 3, 9)  # Friday
    assert digest_week_of(date(2026, 3, 15)) == date(2026, 3, 9)  # Sunday
    assert digest_week_of(date(2026, 3, 16)) == date(2026, 3, 9)  # Monday: the week just ended
    assert digest_week_of(date(2026, 3, 12)) == date(2026, 3, 2)  # Thursday
    assert week_days(date(2026, 3, 11), date(2026, 3, 13)) == (date(2026, 3, 9), date(2026, 3, 13))
    assert week_days(date(2026, 3, 2), date(2026, 3, 13)) == (date(2026, 3, 2), date(2026, 3, 8))


def test_school_days_are_weekdays():
    assert weekdays_between(date(2026, 3, 9), date(2026, 3, 15)) == 5
    assert weekdays_between(date(2026, 3, 14), date(2026, 3, 16)) == 1
    assert weekdays_between(date(2025, 8, 4), date(2026, 3, 10)) == 157
    assert weekdays_between(date(2026, 3, 10), date(2026, 3, 9)) == 0
    assert absence_share(3, 30) == 10.0 and absence_share(1, 0) == 0.0


def test_unsubscribe_tokens_are_signed_and_name_their_kind():
    token = unsubscribe_token("k" * 40, 42, "weekly-digest")
    assert read_unsubscribe_token("k" * 40, token) == (42, "weekly-digest")
    assert read_unsubscribe_token("x" * 40, token) is None  # another portal's secret
    assert read_unsubscribe_token("k" * 40, token.replace("42.", "43.", 1)) is None  # another account
    assert read_unsubscribe_token("k" * 40, token.replace(".1.", ".0.", 1)) is None  # another kind
    for junk in ("", "42", "a.b.c", "42.9." + token.split(".")[2], "1" * 200):
        assert read_unsubscribe_token("k" * 40, junk) is None


def test_the_preferences_form_is_checked_whole():
    choices, errors = check_choices({"absence_alerts": "on", "digest": "on", "digest_day": "monday",
                                     "digest_grades": "on", "grade_threshold": "c+", "quiet_start": "2100",
                                     "quiet_end": "7:00"})
    assert errors == [] and choices.digest_day == 0 and choices.grade_threshold == "C+"
    assert (choices.quiet_start, choices.quiet_end) == ("21:00", "07:00") and not choices.digest_missing_work
    _, errors = check_choices({"digest_day": "someday", "digest_grades": "on", "grade_threshold": "great",
                               "quiet_start": "25:00", "quiet_end": ""})
    assert [e.field for e in errors] == ["digest_day", "grade_threshold", "quiet_start", "quiet_end"]
    _, errors = check_choices({"quiet_start": "8:00", "quiet_end": "08:00"})
    assert [e.field for e in errors] == ["quiet_end"]


@pytest.mark.parametrize("typed, periods", [
    ("1, 2", ["1", "2"]), ("1 and 2", ["1", "2"]), ("1 y 2", ["1", "2"]), ("Period 6", ["6"]), ("p6", ["p6"]),
    ("p 6", ["6"]), ("1st and 2nd", ["1st", "2nd"]), ("1A, 1B", ["1A", "1B"]),
    ("1-3", ["1", "2", "3"]), ("1 – 3", ["1", "2", "3"]), ("periods 1,2 & 4", ["1", "2", "4"]), ("HR", ["HR"]),
    ("3-1", ["3-1"]), ("1-20", ["1-20"]), ("and", []), ("", []),
])
def test_class_periods_are_read_as_families_write_them(typed, periods):
    """A tester's find: "1 and 2" was read as periods 1, "and" and 2, and "Period 6" as "Period" and 6. What
    cannot be read (a range backwards or over 12) stays as typed, and the form says how to write it."""
    from app.rules.alerts import typed_periods

    assert typed_periods(typed) == periods


def test_a_typed_period_is_compared_with_the_sis_s_by_its_number_but_block_letters_count():
    """"p6", "P6", "6th", "6" are one period; "1A" and "1B" (an A/B block schedule) are two."""
    from app.rules.alerts import period_key

    assert {period_key(p) for p in ("p6", "P6", "6th", "6", "per. 6", "06", "6º")} == {"6"}
    assert period_key("1A") == period_key("1a") != period_key("1B")
    assert period_key("HR") == period_key("hr") == "hr"
