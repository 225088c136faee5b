"""Alerts and the weekly digest (issue 12): a guardian's choices, grade thresholds, quiet hours, the
digest's week, the share of school days missed, and the signed links that unsubscribe without signing in.
Pure: no database, no clock."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from app.rules.errors import N_, FieldError
from app.rules.preferences import WEEKDAYS
from app.rules.typed_days import (parse_typed_day, written_as_a_day_that_does_not_exist, written_month_first,
                                   written_with_a_short_year)
from app.rules.numbers import whole_number

ALERT_KINDS = ("absence-alert", "weekly-digest")  # the kinds a guardian may unsubscribe from
REASONS = ("illness", "medical", "family", "religious", "other")
REASON_NAMES = {
    "illness": N_("Illness"),
    "medical": N_("Medical or dental appointment"),
    "family": N_("Family matter"),
    "religious": N_("Religious observance"),
    "other": N_("Other"),
}

# Letter grades from best to worst; "under C" means C- and below.
LETTERS = ("A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F")


@dataclass(frozen=True)
class GradeThreshold:
    letter: str | None = None
    percent: float | None = None

    def __str__(self) -> str:
        return self.letter if self.letter else f"{self.percent:g}%"


def parse_grade_threshold(text: str) -> GradeThreshold | None:
    """"C", "c+", "70", "70%", "72.5 %" -> a threshold; anything else None."""
    value = text.strip().upper().replace(" ", "")
    if value in LETTERS:
        return GradeThreshold(letter=value)
    match = re.fullmatch(r"(\d{1,3}(?:\.\d)?)%?", value)
    if match and 0 < float(match.group(1)) <= 100:
        return GradeThreshold(percent=float(match.group(1)))
    return None


def grade_is_under(threshold: GradeThreshold, letter: str, percent: float | None) -> bool:
    """Is this grade under the threshold? A letter threshold reads the letter (else nothing is said);
    a percentage threshold reads the percent (else nothing is said)."""
    if threshold.letter:
        grade = (letter or "").strip().upper()
        return grade in LETTERS and LETTERS.index(grade) > LETTERS.index(threshold.letter)
    return percent is not None and threshold.percent is not None and percent < threshold.percent


def parse_clock_time(text: str) -> time | None:
    """"21:00", "7:30", "2130" -> a time of day; else None."""
    match = re.fullmatch(r"(\d{1,2}):?(\d{2})", text.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return time(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class GuardianChoices:
    """What a guardian chose (the defaults when they never chose)."""

    absence_alerts: bool = True
    digest: bool = True
    digest_day: int | None = None  # None: the district's day
    digest_missing_work: bool = True
    digest_grades: bool = True
    grade_threshold: str = "70%"
    quiet_start: str = ""
    quiet_end: str = ""

    @property
    def threshold(self) -> GradeThreshold | None:
        return parse_grade_threshold(self.grade_threshold)

    @property
    def quiet_hours(self) -> tuple[time, time] | None:
        start, end = parse_clock_time(self.quiet_start), parse_clock_time(self.quiet_end)
        return (start, end) if start is not None and end is not None and start != end else None


def check_choices(typed: dict[str, str]) -> tuple[GuardianChoices | None, list[FieldError]]:
    """The preferences form, checked: every field or none."""
    errors: list[FieldError] = []

    def on(name: str) -> bool:
        return typed.get(name, "") == "on"

    day_text = typed.get("digest_day", "").strip().lower()
    digest_day = None
    if day_text and day_text != "district":
        if day_text not in WEEKDAYS:
            errors.append(FieldError("digest_day", N_("Choose a day from the list")))
        else:
            digest_day = WEEKDAYS.index(day_text)
    threshold = typed.get("grade_threshold", "").strip()
    if on("digest_grades") or threshold:
        parsed = parse_grade_threshold(threshold)
        if parsed is None:
            errors.append(FieldError("grade_threshold",
                                     N_("Enter a letter grade such as C, or a percentage such as 70%%")))
        else:
            threshold = str(parsed)
    start, end = typed.get("quiet_start", "").strip(), typed.get("quiet_end", "").strip()
    if start or end:
        for name, text in (("quiet_start", start), ("quiet_end", end)):
            if parse_clock_time(text) is None:
                errors.append(FieldError(name, N_("Enter a time such as 21:00")))
        if not errors and parse_clock_time(start) == parse_clock_time(end):
            errors.append(FieldError("quiet_end", N_("The quiet hours must end at another time than they start")))
    if errors:
        return None, errors
    return GuardianChoices(
        absence_alerts=on("absence_alerts"), digest=on("digest"), digest_day=digest_day,
        digest_missing_work=on("digest_missing_work"), digest_grades=on("digest_grades"),
        grade_threshold=threshold or "70%",
        quiet_start=parse_clock_time(start).strftime("%H:%M") if start else "",
        quiet_end=parse_clock_time(end).strftime("%H:%M") if end else "",
    ), []


def after_quiet_hours(moment: datetime, quiet: tuple[time, time] | None, zone: str) -> datetime:
    """The first moment at or after `moment` outside the quiet hours (which may span midnight), in UTC."""
    if quiet is None:
        return moment
    start, end = quiet
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    now = local.time().replace(tzinfo=None)
    inside = (start <= now < end) if start < end else (now >= start or now < end)
    if not inside:
        return moment
    end_day = local.date() if (start < end or now < end) else local.date() + timedelta(days=1)
    return datetime.combine(end_day, end, tzinfo=tz).astimezone(timezone.utc)


# ---- The digest's week ----

def digest_week_of(today: date) -> date:
    """The week a digest sent today covers: this week (Monday) from Friday on, else last week."""
    monday = today - timedelta(days=today.weekday())
    return monday if today.weekday() >= 4 else monday - timedelta(days=7)


def week_days(week_of: date, today: date) -> tuple[date, date]:
    """Monday to Sunday of the week, but never past today."""
    monday = week_of - timedelta(days=week_of.weekday())
    return monday, min(monday + timedelta(days=6), max(today, monday))


def absence_share(absent_days: int, school_days: int) -> float:
    return 0.0 if school_days <= 0 else 100.0 * absent_days / school_days


# ---- Unsubscribe links ----

def unsubscribe_token(secret: str, account_id: int, kind: str) -> str:
    """"<account>.<kind>.<HMAC-SHA-256>": only the portal can make one; it names no person."""
    message = f"unsubscribe:{account_id}:{kind}".encode()
    mac = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:40]
    return f"{account_id}.{ALERT_KINDS.index(kind)}.{mac}"


def read_unsubscribe_token(secret: str, token: str) -> tuple[int, str] | None:
    """(account id, kind) for a token the portal made; None for anything else."""
    parts = (token or "")[:100].split(".")
    account_id = whole_number(parts[0]) if len(parts) == 3 and len(parts[0]) <= 12 else None
    if account_id is None or parts[1] not in ("0", "1"):
        return None
    kind = ALERT_KINDS[int(parts[1])]
    expected = unsubscribe_token(secret, account_id, kind)
    # Bytes: compare_digest refuses str with non-ASCII characters (a crafted link was a 500).
    return (account_id, kind) if hmac.compare_digest(expected.encode(), token.encode()) else None


# ---- Report an absence ----

LONGEST_NOTE = 500
LONGEST_SPAN_DAYS = 30


@dataclass(frozen=True)
class AbsenceReportTyped:
    first_day: date
    last_day: date
    whole_day: bool
    periods: tuple[str, ...]
    reason: str
    note: str


# What parents write around period numbers (a tester's find: "1 and 2" was read as periods "1", "and" and "2").
_PERIOD_WORDS = {"and", "y", "e", "&", "period", "periods", "per", "p", "hora", "horas", "periodo", "periodos",
                 "período", "períodos", "class", "classes", "clase", "clases"}
_PERIOD_RANGE = re.compile(r"(\d{1,2})\s*(?:-|–|—|to|a)\s*(\d{1,2})", re.IGNORECASE)
# "p6", "per. 6", "Period6"; "1st", "2nd", "3º", "1ª": the number the family means. Not a lone letter after the
# number: "1A" and "1B" are two periods of an A/B block schedule.
_PERIOD_SPELLING = re.compile(r"(?:(?:p|per|period|periodo|período)\.?\s*)?(\d{1,2})(?:st|nd|rd|th|º|ª)?\.?",
                              re.IGNORECASE)


def typed_periods(typed: str) -> list[str]:
    """The class periods a family typed, as typed, in order: "1, 2", "1 and 2", "1 y 2", "Period 6" (6), "1-3"
    (1, 2, 3; a range of at most 12). Which of the child's periods each one is: `period_key`."""
    def spelled_out(found: re.Match) -> str:
        low, high = int(found.group(1)), int(found.group(2))
        return ",".join(str(n) for n in range(low, high + 1)) if 0 <= high - low < 12 else found.group(0)

    text = _PERIOD_RANGE.sub(spelled_out, typed)
    return [part for part in (p.strip(".") for p in re.split(r"[,;/+\s]+", text))
            if part and part.lower() not in _PERIOD_WORDS]


def period_key(period: str) -> str:
    """A period as compared, the typed one with the SIS's: "p6", "P6", "6th" and "6" are one period; "1A" and
    "1B" are two. Lower case."""
    written = _PERIOD_SPELLING.fullmatch(period.strip())
    return str(int(written.group(1))) if written else period.strip().lower()


def overlaps(report: AbsenceReportTyped, first_day: date, last_day: date, whole_day: bool, periods: str) -> bool:
    """Whether `report` says again what an earlier report (its days, whole day or not, its periods "1,2") said
    about some day: their days meet, and either is for the whole day or they name a period in common. A report
    of period 6 on a day period 1 was reported (left early after a late start) is not a repeat."""
    if report.last_day < first_day or last_day < report.first_day:
        return False
    if report.whole_day or whole_day:
        return True
    return bool(set(report.periods) & {p.strip() for p in periods.split(",") if p.strip()})


def check_absence_report(typed: dict[str, str], today: date, days_back: int,
                         days_ahead: int) -> tuple[AbsenceReportTyped | None, list[FieldError]]:
    """The report-an-absence form: dates within the district's window, whole day or periods, a reason."""
    errors: list[FieldError] = []
    earliest, latest = today - timedelta(days=days_back), today + timedelta(days=days_ahead)
    days: dict[str, date | None] = {}
    for name in ("first_day", "last_day"):
        text = typed.get(name, "").strip()
        days[name] = None
        if not text and name == "last_day":
            days[name] = days["first_day"]
            continue
        days[name] = parse_typed_day(text)  # 03/10/2026 where the browser shows a text box (app/rules/typed_days.py)
        if days[name] is None:
            errors.append(FieldError(name, N_("That date does not exist: check the month and the day, like "
                                              "03/10/2026") if written_as_a_day_that_does_not_exist(text) else
                                     N_("Write the year in full, like 03/10/2026") if written_with_a_short_year(text)
                                     else N_("Enter the date like 03/10/2026") if text else N_("Enter the date")))
            continue
        if not earliest <= days[name] <= latest:
            # The days as dates: the page writes them as its reader reads days (app/services/absence_reports.py).
            # A day typed with slashes or dashes is said as it was read, month first: "03/12/2026" from a family
            # that writes the day first was refused with only the window, and nothing said it was read as March 12
            # (a tester's find, in Spanish).
            window = {"earliest": earliest, "latest": latest}
            errors.append(FieldError(name, N_("%(typed)s is read month first, as %(day)s: choose a date from "
                                              "%(earliest)s to %(latest)s"), {**window, "typed": text, "day": days[name]})
                          if written_month_first(text) else
                          FieldError(name, N_("Choose a date from %(earliest)s to %(latest)s"), window))
            days[name] = None
    first, last = days["first_day"], days["last_day"]
    if first and last and last < first:
        errors.append(FieldError("last_day", N_("The last day cannot be before the first day")))
    elif first and last and (last - first).days >= LONGEST_SPAN_DAYS:
        errors.append(FieldError("last_day", N_("Report at most %(days)d days at a time"),
                                 {"days": LONGEST_SPAN_DAYS}))
    whole_day = typed.get("whole_day", "") != "no"
    periods: tuple[str, ...] = ()
    if not whole_day:
        parts = typed_periods(typed.get("periods", ""))
        if not parts:
            errors.append(FieldError("periods", N_("Enter which periods, for example 1, 2")))
        elif len(parts) > 12 or any(len(p) > 8 or not p.isalnum() for p in parts):
            errors.append(FieldError("periods", N_("Enter period numbers separated by commas, for example 1, 2")))
        else:
            periods = tuple(dict.fromkeys(parts))
    reason = typed.get("reason", "")
    if reason not in REASONS:
        errors.append(FieldError("reason", N_("Choose a reason")))
    note = " ".join(typed.get("note", "").split())
    if len(note) > LONGEST_NOTE or any(ord(c) < 32 for c in note):
        errors.append(FieldError("note", N_("Use at most %(max)d characters"), {"max": LONGEST_NOTE}))
    if errors:
        return None, errors
    return AbsenceReportTyped(first, last, whole_day, periods, reason, note), []
