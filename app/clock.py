"""The one place the portal asks what time it is, so tests can move time (docs/quality.md §1: fakes only for time)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone


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
