"""HOMEROOM_TEST_CLOCK_SHIFT (issue 12): the browser suite's processes live on the day it pins, and production can
never be started with the clock moved."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app import clock
from app.settings import SettingsError, load_settings

SECRETS = {"HOMEROOM_SECRET_KEY": "k" * 40, "HOMEROOM_SSN_PEPPER": "p" * 40}
PRODUCTION = {**SECRETS, "HOMEROOM_ENV": "production", "HOMEROOM_PUBLIC_URL": "https://portal.example.org",
              "HOMEROOM_SMTP_URL": "smtp://relay.example.org"}


@pytest.fixture(autouse=True)
def system_clock_after():
    yield
    clock.set_clock(None)


def test_a_test_process_runs_on_the_pinned_day_and_the_clock_keeps_moving():
    settings = load_settings({**SECRETS, "HOMEROOM_ENV": "test", "HOMEROOM_TEST_CLOCK_SHIFT": "-86400.5"})
    assert settings.clock_shift == timedelta(days=-1, seconds=-0.5)
    clock.follow_settings(settings)
    first = clock.now()
    assert abs(first - (datetime.now(timezone.utc) - timedelta(days=1))) < timedelta(seconds=5)
    assert clock.now() >= first and first.tzinfo is not None


def test_the_demo_server_may_share_it_but_production_refuses_to_start():
    assert load_settings({**SECRETS, "HOMEROOM_ENV": "demo", "HOMEROOM_TEST_CLOCK_SHIFT": "60"}).clock_shift == \
        timedelta(minutes=1)
    with pytest.raises(SettingsError, match="production refuses to start with it"):
        load_settings({**PRODUCTION, "HOMEROOM_TEST_CLOCK_SHIFT": "60"})
    assert load_settings(PRODUCTION).clock_shift is None  # and without it production starts as before


@pytest.mark.parametrize("value", ["soon", "1 day", "nan", "inf", "-inf", "1e20"])
def test_a_value_that_is_not_a_sensible_number_of_seconds_is_refused(value):
    with pytest.raises(SettingsError, match="HOMEROOM_TEST_CLOCK_SHIFT"):
        load_settings({**SECRETS, "HOMEROOM_ENV": "test", "HOMEROOM_TEST_CLOCK_SHIFT": value})


def test_without_it_the_clock_is_left_as_it_was():
    pinned = datetime(2026, 3, 10, 14, 0, tzinfo=timezone.utc)
    clock.set_clock(lambda: pinned)  # a test's fake clock is not replaced by a process start without the setting
    settings = load_settings({**SECRETS, "HOMEROOM_ENV": "test", "HOMEROOM_TEST_CLOCK_SHIFT": " "})
    assert settings.clock_shift is None
    clock.follow_settings(settings)
    assert clock.now() == pinned
