"""The district day: midnight to midnight in the district's time zone (docs/design.md §4.6)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


def district_day(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def next_district_midnight(moment: datetime, zone: str) -> datetime:
    """The start of the next district day, in UTC (correct across daylight-saving changes)."""
    tz = ZoneInfo(zone)
    tomorrow = moment.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0, 0), tzinfo=tz).astimezone(timezone.utc)
