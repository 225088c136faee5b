"""The US school year, August to June (docs/design.md §4.9): "This is correct" counts for one school year, and
home nudges again when the next one starts. Years are named by the year they end in, as OneRoster does."""

from __future__ import annotations

from datetime import date

FIRST_MONTH = 8  # a school year starts on 1 August; July still belongs to the year that ended in June


def school_year_of(day: date) -> int:
    """The school year containing `day`, named by the year it ends in (2025-09-02 -> 2026)."""
    return day.year + 1 if day.month >= FIRST_MONTH else day.year


def school_year_label(school_year: int) -> str:
    """2026 -> "2025–2026", as parents read it."""
    return f"{school_year - 1}–{school_year}"
