"""Reading the dates and date-times importers meet, with messages that say truly what is wrong: a value
written the right way round but naming a day that does not exist (2026-02-30, 2/30/2026) is told so
("is not a date that exists"), apart from a value that is not written as a date at all. Shared by the
OneRoster, Ed-Fi and attendance imports. Pure."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

# 2016-08-25, optionally followed by a time (T or a space) and any zone; group 4 is what follows the date.
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})([T ].*)?$", re.DOTALL)
# The time part OneRoster producers add: "T00:00:00.000Z", " 0:00", " 00:00:00+02:00".
_TIME = re.compile(r"^[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?$")
# 8/25/2016 or 08/25/2016, optionally followed by a time a spreadsheet added ("8/10/2026 0:00",
# "8/10/2026 12:00:00 AM").
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?)?$")

NOT_A_DAY = "is not a date that exists: check the day and month"


class BadDate(ValueError):
    """The message ends a sentence that starts with the value ("'2026-02-30' is not a date that exists")."""


def _day(year: str, month: str, day: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise BadDate(NOT_A_DAY) from None


def read_iso_day(text: str, *, times: bool = True, hint: str = "write it as YYYY-MM-DD") -> date:
    """YYYY-MM-DD (and, when `times`, a date-time: its date is kept, whatever the time and zone)."""
    found = _ISO.match(text)
    if found and (found[4] is None or times):
        return _day(found[1], found[2], found[3])
    raise BadDate(f"is not a date: {hint}")


def read_roster_day(text: str) -> tuple[date, bool]:
    """A OneRoster date, and whether it was in a format OneRoster does not use (worth a warning).

    Accepted: 2024-01-31; a date-time (2024-01-31T00:00:00.000Z, 2024-01-31 0:00: the date written is kept,
    whatever the time and zone); 01/31/2024 and 1/31/2024 (US order), with or without a time after it
    (1/31/2024 0:00, 1/31/2024 12:00:00 AM)."""
    found = _ISO.match(text)
    if found and (found[4] is None or _TIME.match(found[4])):
        return _day(found[1], found[2], found[3]), found[4] is not None
    found = _US.match(text)
    if found:
        return _day(found[3], found[1], found[2]), True
    raise BadDate("is not a date: write it as YYYY-MM-DD (8/25/2016 and date-times are read too)")


_CLOCK = re.compile(r"^[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$")


def read_moment(text: str) -> datetime:
    """An ISO 8601 date-time (OneRoster's dateLastModified, the ODS/API's _lastModifiedDate: up to 7 decimals
    and a Z; a space for the T and a one-digit hour are read too), or a date alone (midnight); UTC when no
    zone is given. Raises BadDate."""
    found = _ISO.match(text.strip())
    if not found:
        raise BadDate("is not a date-time (YYYY-MM-DDThh:mm:ssZ)")
    day = _day(found[1], found[2], found[3])  # an impossible day says so, before the time is looked at
    if found[4] is None:
        return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    clock = _CLOCK.match(found[4])
    if not clock:
        raise BadDate("is not a date-time (YYYY-MM-DDThh:mm:ssZ)")
    hour, minute, second, fraction, zone = clock.groups()
    try:
        offset = timezone.utc if zone in (None, "Z") else datetime.strptime(zone.replace(":", ""), "%z").tzinfo
        return datetime(day.year, day.month, day.day, int(hour), int(minute), int(second or 0),
                        int((fraction or "0")[:6].ljust(6, "0")), tzinfo=offset)
    except ValueError:
        raise BadDate("is not a date-time that exists (YYYY-MM-DDThh:mm:ssZ)") from None
