"""One rule for every date a person reads (issue 13 item 10): app.i18n.format_day and format_moment, used by every
page, email, letter and the staff console."""

from datetime import date, datetime, timezone

import pytest

from app import clock
from app.i18n import DAY_PATTERNS, LANGUAGES, TIME_PATTERNS, UNDATED_PATTERNS, YEAR_PATTERNS, format_day, \
    format_moment, using_language

MOMENT = datetime(2026, 3, 10, 19, 5, tzinfo=timezone.utc)  # 3:05 PM in New York


@pytest.fixture(autouse=True)
def in_the_2025_2026_school_year():
    clock.set_clock(lambda: datetime(2026, 3, 12, 15, 0, tzinfo=timezone.utc))
    yield
    clock.set_clock(None)


def test_every_language_has_its_own_date_patterns():
    assert set(DAY_PATTERNS) == set(YEAR_PATTERNS) == set(UNDATED_PATTERNS) == set(TIME_PATTERNS) == set(LANGUAGES)


def test_english_reads_short_weekday_month_and_day_and_a_12_hour_clock():
    with using_language("en"):
        assert format_day(date(2026, 3, 10)) == "Tue, Mar 10"
        assert format_day(date(2025, 10, 13)) == "Mon, Oct 13"  # the same school year, though another calendar year
        assert format_moment(MOMENT, "America/New_York") == "Tue, Mar 10, 3:05 PM"


def test_the_year_is_added_outside_this_school_year():
    with using_language("en"):
        assert format_day(date(2025, 6, 12)) == "Thu, Jun 12, 2025"  # last school year
        assert format_day(date(2026, 8, 20)) == "Thu, Aug 20, 2026"  # next school year
        assert format_day(date(2012, 3, 3), weekday=False) == "Mar 3, 2012"  # a birth date
        assert format_moment(datetime(2025, 7, 31, 16, 0, tzinfo=timezone.utc), "America/New_York") == \
            "Thu, Jul 31, 2025, 12:00 PM"


def test_spanish_writes_the_weekday_and_month_out_with_de_and_a_24_hour_clock():
    with using_language("es"):
        assert format_day(date(2026, 3, 10)) == "martes 10 de marzo"
        assert format_day(date(2025, 6, 12)) == "jueves 12 de junio de 2025"
        assert format_day(date(2012, 3, 3), weekday=False) == "3 de marzo de 2012"
        assert format_moment(MOMENT, "America/New_York") == "martes 10 de marzo, 15:05"


def test_the_school_year_turns_on_august_first():
    clock.set_clock(lambda: datetime(2026, 8, 3, 15, 0, tzinfo=timezone.utc))
    with using_language("en"):
        assert format_day(date(2026, 8, 20)) == "Thu, Aug 20"
        assert format_day(date(2026, 3, 10)) == "Tue, Mar 10, 2026"
