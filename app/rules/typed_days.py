"""A day as a family types it into a form where the browser shows a text box (no date picker: an older phone,
a browser with scripts and date fields off), or as the date field sends it: the key request's birth date and an
absence report's days. One rule for both (issue 13 item 10, US conventions; a tester's find: the absence form
took only 2026-03-10).

Taken: month/day/year as US families write it, with slashes or dashes (04/27/2015, 4/7/2015, 04-27-2015), and
year-month-day (2015-04-27, what a date field sends). The year has four digits ("4/27/15" is refused rather than
guessed). Day/month order is not read: 27/04/2015 is refused as a day that does not exist, and 03/04/2015 is
March 4, as a US district's forms say (the examples show the order). Digits of any script count (a phone keyboard in full-width mode writes
０４/２７/２０１５)."""

from __future__ import annotations

import re
from datetime import date

_MONTH_DAY_YEAR = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})")
_YEAR_MONTH_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SHORT_YEAR = re.compile(r"\d{1,2}[/-]\d{1,2}[/-]\d{2}")


def _parts(typed: str) -> tuple[int, int, int] | None:
    """(year, month, day) as written, not yet checked to be a day that exists; None if not written as a date."""
    text = typed.strip()
    if found := _MONTH_DAY_YEAR.fullmatch(text):
        month, day, year = (int(g) for g in found.groups())
        return year, month, day
    if found := _YEAR_MONTH_DAY.fullmatch(text):
        year, month, day = (int(g) for g in found.groups())
        return year, month, day
    return None


def parse_typed_day(typed: str) -> date | None:
    """The day typed, or None when it is not written as one of the shapes above or is no day at all
    (02/30/2014)."""
    parts = _parts(typed)
    if parts is None:
        return None
    try:
        return date(*parts)
    except ValueError:
        return None


def written_as_a_day_that_does_not_exist(typed: str) -> bool:
    """Written as a date, but there is no such day (02/30/2014, 13/01/2015): the message says so, rather than
    showing the same example again."""
    return _parts(typed) is not None and parse_typed_day(typed) is None


def written_month_first(typed: str) -> bool:
    """Written month/day/year (03/04/2026, 3-4-2026), as opposed to year-month-day (what a date field sends): a
    message about such a day says how it was read, as a family writing the day first would read it otherwise."""
    return _MONTH_DAY_YEAR.fullmatch(typed.strip()) is not None


def written_with_a_short_year(typed: str) -> bool:
    """Month/day/year with a two-digit year (3/12/26): the message asks for the year in full rather than
    guessing the century (a tester's find: "Enter the date like 03/10/2026" did not say what was wrong)."""
    return _SHORT_YEAR.fullmatch(typed.strip()) is not None
