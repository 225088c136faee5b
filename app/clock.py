"""The one place the portal asks what time it is, so tests can move time (docs/quality.md §1: fakes only for time)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone


def _system_now() -> datetime:
    return datetime.now(timezone.utc)


_now: Callable[[], datetime] = _system_now


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return _now()


def set_clock(source: Callable[[], datetime] | None) -> None:
    """Tests only: replace the clock (None restores the system clock)."""
    global _now
    _now = source or _system_now


def shift(by: timedelta) -> None:
    """Tests only: the system clock moved by `by`, running on from there (HOMEROOM_TEST_CLOCK_SHIFT: the
    browser suite's processes all read the day it pins; app/settings.py)."""
    set_clock(lambda: _system_now() + by)


def follow_settings(settings) -> None:
    """Every process start (the served app, each command) moves the clock when the settings say so."""
    if settings.clock_shift is not None:
        shift(settings.clock_shift)
