"""app/importers/dates.py (hypothesis): any year, month and day written as a date reads as that date when it
exists and otherwise says "is not a date that exists"; anything else is "not a date"; never another error."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.importers.dates import NOT_A_DAY, BadDate, read_iso_day, read_moment, read_roster_day


def exists(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


parts = st.tuples(st.integers(1, 9999), st.integers(0, 99), st.integers(0, 99))


@given(parts, st.sampled_from(["", "T00:00:00Z", " 0:00", "T12:30:00.1234567+02:00"]))
def test_written_as_a_date_reads_or_says_it_does_not_exist(ymd, time):
    year, month, day = ymd
    text = f"{year:04d}-{month:02d}-{day:02d}"
    readers = [lambda t: read_roster_day(t)[0], read_iso_day, lambda t: read_moment(t).date()]
    for reader in readers:
        real = exists(*ymd)
        try:
            assert reader(text + time) == real
        except BadDate as bad:
            assert real is None and str(bad) == NOT_A_DAY, (text + time, bad)


@given(parts)
def test_us_order_too(ymd):
    year, month, day = ymd
    text = f"{month}/{day}/{year:04d}"
    real = exists(*ymd)
    try:
        assert read_roster_day(text) == (real, True)
    except BadDate as bad:
        assert real is None and str(bad) == NOT_A_DAY


@given(st.text(max_size=30))
def test_any_text_is_a_date_or_a_bad_date_never_another_error(text):
    for reader in (read_roster_day, read_iso_day, read_moment):
        try:
            reader(text)
        except BadDate:
            pass


def test_what_the_ods_api_writes_and_what_it_means():
    assert read_moment("2026-03-02T14:12:36.0393213Z") == datetime(2026, 3, 2, 14, 12, 36, 39321, timezone.utc)
    assert read_moment("2026-03-02") == datetime(2026, 3, 2, tzinfo=timezone.utc)
    assert read_iso_day("2026-03-02T00:00:00") == date(2026, 3, 2)
    with pytest.raises(BadDate, match="is not a date: write it as YYYY-MM-DD"):
        read_iso_day("2026-03-02T00:00:00", times=False)
    with pytest.raises(BadDate, match="not a date-time that exists"):
        read_moment("2026-03-02T25:00:00Z")
