from datetime import date, datetime, timezone

from app.i18n import LANGUAGES, MOMENT_PATTERNS, DAY_PATTERNS, format_day, format_moment, using_language

MOMENT = datetime(2026, 3, 10, 19, 5, tzinfo=timezone.utc)  # 3:05 PM in New York


def test_every_language_has_its_own_date_patterns():
    assert set(MOMENT_PATTERNS) == set(DAY_PATTERNS) == set(LANGUAGES)


def test_english_reads_weekday_day_month_and_a_12_hour_clock():
    with using_language("en"):
        assert format_moment(MOMENT, "America/New_York") == "Tuesday, March 10, 3:05 PM"
        assert format_day(date(2026, 3, 10)) == "Tue, Mar 10"


def test_spanish_says_de_between_day_and_month_and_uses_a_24_hour_clock():
    with using_language("es"):
        assert format_moment(MOMENT, "America/New_York") == "martes 10 de marzo, 15:05"
        assert format_day(date(2026, 3, 10)).endswith("10 de mar")
