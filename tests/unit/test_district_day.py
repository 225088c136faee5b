from datetime import date, datetime, timezone

from app.rules.district_day import district_day, next_district_midnight

ZONE = "America/New_York"


def test_the_district_day_is_the_local_date():
    # 02:00 UTC on the 5th is still the evening of the 4th in New York.
    assert district_day(datetime(2026, 3, 5, 2, 0, tzinfo=timezone.utc), ZONE) == date(2026, 3, 4)


def test_next_midnight_is_local_midnight_in_utc():
    assert next_district_midnight(datetime(2026, 1, 10, 15, 0, tzinfo=timezone.utc), ZONE) == datetime(
        2026, 1, 11, 5, 0, tzinfo=timezone.utc)


def test_next_midnight_across_the_spring_daylight_saving_change():
    # Clocks go forward on 8 March 2026: midnight on the 9th is 04:00 UTC, not 05:00.
    assert next_district_midnight(datetime(2026, 3, 8, 12, 0, tzinfo=timezone.utc), ZONE) == datetime(
        2026, 3, 9, 4, 0, tzinfo=timezone.utc)


def test_just_before_midnight_the_next_day_is_minutes_away():
    moment = datetime(2026, 6, 1, 3, 59, tzinfo=timezone.utc)  # 23:59 on 31 May in New York
    assert next_district_midnight(moment, ZONE) == datetime(2026, 6, 1, 4, 0, tzinfo=timezone.utc)
