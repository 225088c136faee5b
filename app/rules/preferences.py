"""District preferences (docs/design.md §5): their names, defaults and how a typed value is checked.

The database stores only the values that differ from the defaults, as text.
"""

from __future__ import annotations

from functools import lru_cache
from dataclasses import dataclass, fields
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.rules.bidi import one_line, without_directional_controls
from app.rules.errors import N_, FieldError
from app.rules.passwords import MIN_LENGTH_CEILING, MIN_LENGTH_FLOOR

LOCK_SCOPES = ("account", "recovery-only")
SSN_MODES = ("full", "last4")
AFTER_18 = ("keep", "end")  # parents_after_18: see app/rules/access.py
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class PreferenceError(ValueError):
    """A value a district preference cannot take. `message` is the untranslated text (a msgid) and `params`
    fill it in after translation, so a Spanish-speaking admin reads Spanish; str() is the English sentence."""

    def __init__(self, message: str, params: dict[str, Any] | None = None) -> None:
        self.message, self.params = message, params or {}
        super().__init__(message % self.params if self.params else message)


def _ruled(message: str, params: dict[str, Any] | None = None):
    """Give a parser its rule: the sentence a refused value gets (an untranslated msgid and its params), which
    is also what `homeroom settings set --help` lists as the values allowed, so the two never differ."""
    def attach(parse: Callable[[str], Any]) -> Callable[[str], Any]:
        parse.rule = (message, params or {})
        return parse

    return attach


def _refuse(parse: Callable[[str], Any]) -> PreferenceError:
    return PreferenceError(*parse.rule)


@_ruled(N_("Use on or off"))
def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("on", "true", "yes", "1"):
        return True
    if lowered in ("off", "false", "no", "0"):
        return False
    raise _refuse(_boolean)


def _whole_number(low: int, high: int) -> Callable[[str], int]:
    @_ruled(N_("Use a whole number from %(low)d to %(high)d"), {"low": low, "high": high})
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise _refuse(parse) from None
        if not low <= value <= high:
            raise _refuse(parse)
        return value

    return parse


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    @_ruled(N_("Use one of: %(choices)s"), {"choices": ", ".join(choices)})
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in choices:
            raise _refuse(parse)
        return value

    return parse


def _text(max_length: int) -> Callable[[str], str]:
    @_ruled(N_("Use 1 to %(max)d characters"), {"max": max_length})
    def parse(text: str) -> str:
        # On every page and in every email: no direction override (app/rules/bidi.py), one line.
        value = " ".join(one_line(without_directional_controls(text)).split())
        if not value or len(value) > max_length:
            raise _refuse(parse)
        return value

    return parse


@_ruled(N_("Use a time zone name such as America/New_York"))
def _time_zone(text: str) -> str:
    value = text.strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise _refuse(_time_zone) from None
    return value


@_ruled(N_("Use a phone number such as 404-802-1000"))
def _phone(text: str) -> str:
    import phonenumbers

    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        raise _refuse(_phone) from None
    if not phonenumbers.is_valid_number(number):
        raise _refuse(_phone)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # A help desk behind a switchboard has an extension, and parents must be told it (an IT lead's find: it was
    # dropped without a word). Kept as RFC 3966 writes it, which is also the tel: link's form.
    return f"{e164};ext={number.extension}" if number.extension else e164


@dataclass(frozen=True)
class DistrictPreferences:
    strong_password: bool = False
    password_min_length: int = 6
    key_lifetime_days: int = 30
    reset_link_minutes: int = 60
    username_reminders_per_day: int = 5
    username_lock_scope: str = "account"
    ssn_mode: str = "full"
    auto_issue_on_match: bool = True
    help_phone: str = "+14048021000"
    district_name: str = "Homeroom Demo District"
    time_zone: str = "America/New_York"
    portal_name: str = "Campus Portal"
    staff_second_factor: bool = True  # school staff need a second factor (district admins always do)
    parents_after_18: str = "keep"
    # Alerts and the weekly digest (issue 12)
    absence_alerts_offered: bool = True
    absence_alert_delay_minutes: int = 15  # an excuse arriving within this time cancels the alert
    digest_day: str = "friday"
    digest_hour: int = 16
    chronic_absence_percent: int = 10
    absence_report_days_back: int = 7
    absence_report_days_ahead: int = 30
    audit_retention_days: int = 0  # 0: the audit log keeps every event (issue 15 item 7)


PARSERS: dict[str, Callable[[str], Any]] = {
    "strong_password": _boolean,
    "password_min_length": _whole_number(MIN_LENGTH_FLOOR, MIN_LENGTH_CEILING),
    "key_lifetime_days": _whole_number(1, 365),
    "reset_link_minutes": _whole_number(5, 1440),
    "username_reminders_per_day": _whole_number(1, 50),
    "username_lock_scope": _one_of(LOCK_SCOPES),
    "ssn_mode": _one_of(SSN_MODES),
    "auto_issue_on_match": _boolean,
    "help_phone": _phone,
    "district_name": _text(120),
    "time_zone": _time_zone,
    "portal_name": _text(60),
    "staff_second_factor": _boolean,
    "parents_after_18": _one_of(AFTER_18),
    "absence_alerts_offered": _boolean,
    "absence_alert_delay_minutes": _whole_number(0, 240),
    "digest_day": _one_of(WEEKDAYS),
    "digest_hour": _whole_number(0, 23),
    "chronic_absence_percent": _whole_number(1, 50),
    "absence_report_days_back": _whole_number(0, 60),
    "absence_report_days_ahead": _whole_number(0, 180),
    "audit_retention_days": _whole_number(0, 36500),
}
assert set(PARSERS) == {f.name for f in fields(DistrictPreferences)}


def allowed_values(name: str) -> str:
    """What a preference may be set to, in English: the sentence its parser refuses a value with."""
    message, params = PARSERS[name].rule
    return message % params if params else message


def parse_preference(name: str, text: str) -> Any:
    if name not in PARSERS:
        raise PreferenceError(N_("There is no preference called %(name)s"), {"name": name})
    return PARSERS[name](text)


def preferences_from_rows(rows: dict[str, str]) -> DistrictPreferences:
    """Stored values over defaults; a stored value that no longer parses falls back to the default. The rows
    are read for every request; parsing the same rows again (a phone number, a time zone) is not redone."""
    return _parsed(tuple(sorted(rows.items())))


@lru_cache(maxsize=64)  # a pure function of the rows; the result is frozen, so sharing it is safe
def _parsed(rows: tuple[tuple[str, str], ...]) -> DistrictPreferences:
    values: dict[str, Any] = {}
    for name, text in rows:
        if name in PARSERS:
            try:
                values[name] = PARSERS[name](text)
            except PreferenceError:
                continue
    return DistrictPreferences(**values)


def display_value(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def preference_errors(names, typed: dict[str, str]) -> list[FieldError]:
    """Each named preference's typed value checked, in the order of `names` (a missing one is checked as "")."""
    errors = []
    for name in names:
        try:
            parse_preference(name, typed.get(name, ""))
        except PreferenceError as problem:
            errors.append(FieldError(name, problem.message, problem.params))
    return errors
