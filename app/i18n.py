"""gettext for every user-facing string (Babel catalogs under app/locale). The language of the
current request or email is a context variable, so templates and services need not pass it around."""

from __future__ import annotations

import gettext as _gettext
from io import BytesIO
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import lru_cache
from typing import Any, Iterator

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from app.paths import LOCALE_DIR

LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT_LANGUAGE = "en"

_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


@lru_cache(maxsize=None)
def _catalog(language: str):
    """A language's Babel catalog, read from its .po file (no compiled .mo files in the repository); None for
    English and a language without one."""
    po_file = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not po_file.exists():
        return None
    with po_file.open("rb") as source:
        return read_po(source, locale=language)


@lru_cache(maxsize=None)
def _translations(language: str) -> _gettext.NullTranslations:
    catalog = _catalog(language)
    if catalog is None:
        return _gettext.NullTranslations()
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


@lru_cache(maxsize=1)
def known_messages() -> frozenset[str]:
    """Every message the portal says (the msgids of its catalogs): what a message that came back from a browser (an
    error a page showed, app/web/typed_draft.py) must be one of."""
    return frozenset(m.id for language in LANGUAGES if (catalog := _catalog(language)) is not None
                     for m in catalog if isinstance(m.id, str) and m.id)


@lru_cache(maxsize=1)  # every page's language switch asks: the catalogs are read once per process too
def available_languages() -> dict[str, str]:
    """The languages a parent can choose: English and every language with a catalog."""
    return {code: name for code, name in LANGUAGES.items()
            if code == DEFAULT_LANGUAGE or (LOCALE_DIR / code / "LC_MESSAGES" / "messages.po").exists()}


def current_language() -> str:
    return _language.get()


def set_language(language: str) -> None:
    _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


@contextmanager
def using_language(language: str) -> Iterator[None]:
    token = _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)


def gettext(message: str) -> str:
    return _translations(_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations(_language.get()).ngettext(singular, plural, n)


def translate(message: str, params: dict[str, Any] | None = None) -> str:
    """Python-side: translate a msgid and fill its %(name)s parameters."""
    text = gettext(message)
    return text % params if params else text


def pick_language(accept_language: str) -> str:
    """The first supported language in an Accept-Language header."""
    return requested_language(accept_language) or DEFAULT_LANGUAGE


def requested_language(accept_language: str) -> str | None:
    """The first supported language an Accept-Language header asks for, or None when it asks for none."""
    for part in accept_language.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return None


def visitor_language(cookie: str | None, accept_language: str) -> str | None:
    """The language this device asked for: the switcher's cookie, else the browser's own; None when neither
    names a language the portal has."""
    if cookie in LANGUAGES:
        return cookie
    return requested_language(accept_language)


# One rule for every date a person reads, on every page, email, letter and the staff console (issue 13 item 10):
# US English "Tue, Oct 13" and Spanish "martes 13 de octubre" (Babel patterns, per language); the year is added
# when the day is outside the current school year ("Tue, Oct 13, 2025"); a moment is that day and its time in
# the district's zone ("Tue, Oct 13, 3:05 PM", "martes 13 de octubre, 15:05"). Machine text (CSV, audit details,
# JSON) keeps ISO 8601.
DAY_PATTERNS = {"en": "EEE, MMM d", "es": "EEEE d 'de' MMMM"}
YEAR_PATTERNS = {"en": ", y", "es": " 'de' y"}  # what the year adds to a day's pattern
UNDATED_PATTERNS = {"en": "MMM d", "es": "d 'de' MMMM"}  # without the weekday (a birth date)
# Short, where a line must fit a phone: a term's first and last day in the term list ("Aug 11", "11 ago": the
# Spanish "11 de agosto – 10 de octubre" cut the list at 360 px, a tester's find).
SHORT_PATTERNS = {"en": "MMM d", "es": "d MMM"}
TIME_PATTERNS = {"en": "h:mm a", "es": "H:mm"}


def format_day(day, *, weekday: bool = True, short: bool = False) -> str:
    """A day as a person reads it, in the current language; with its year when it is not in this school year.
    `weekday=False`: without the weekday; `short`: without it and with the month abbreviated."""
    from app import clock
    from app.rules.school_year import school_year_of

    return _format_day(day, _language.get(), school_year_of(day) != school_year_of(clock.now().date()),
                       "short" if short else "weekday" if weekday else "undated")


def _time_of_day(local) -> str:
    """A local time ("9:02 AM", "9:02") in the current language."""
    from babel.dates import format_time

    language = _language.get()
    return format_time(local, TIME_PATTERNS.get(language, TIME_PATTERNS["en"]), locale=language)


def format_moment(moment, zone: str) -> str:
    """A date and time as a person reads it, in the district's time zone and the current language."""
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo(zone))
    return f"{format_day(local.date())}, {_time_of_day(local)}"


def format_span(first, last, zone: str) -> str:
    """From one moment to a later one as a person reads it ("Tue, Mar 10, 9:02 AM to 9:15 AM"), the day written
    once when both fall on it; one moment when both are in the same minute. District time zone, current language."""
    from zoneinfo import ZoneInfo

    start, end = first.astimezone(ZoneInfo(zone)), last.astimezone(ZoneInfo(zone))
    if start.replace(second=0, microsecond=0) == end.replace(second=0, microsecond=0):
        return format_moment(first, zone)
    until = _time_of_day(end) if start.date() == end.date() else format_moment(last, zone)
    return gettext("%(start)s to %(end)s") % {"start": format_moment(first, zone), "end": until}


def time_ago(moment, now=None) -> str:
    """How long ago, as a parent says it ("10 minutes ago", "hace 10 minutos"), in the current language."""
    from babel.dates import format_timedelta

    from app import clock

    past = (now or clock.now()) - moment
    if past.total_seconds() < 60:  # babel would say "in 0 seconds" (and a clock a little ahead, "in 3 seconds")
        return gettext("just now")
    return format_timedelta(-past, add_direction=True, locale=_language.get())


def grade_in_words(value) -> str:
    """A student's grade level as a parent reads it ("2nd grade", "2.º grado"; app/rules/grade_levels.py):
    the SIS's own text when the rule does not know it, "" when there is nothing to show."""
    return _grade_in_words(value, _language.get())


@lru_cache(maxsize=1024)  # a district has a few dozen ways of writing its grades; home reads one a child
def _grade_in_words(value, language: str) -> str:
    from app.rules.grade_levels import grade_words

    shown = grade_words(value)
    if shown is None:
        return ""
    text, known = shown
    return gettext(text) if known else text


class ShownDay(date):
    """A day that writes itself as a parent reads it ("Sat, Mar 14"; "sábado 14 de marzo"), in the language current
    when it is shown: for a message's %(day)s parameter made before the language is known."""

    def __str__(self) -> str:
        return format_day(date(self.year, self.month, self.day))

    @classmethod
    def of(cls, day: date) -> ShownDay:
        return cls(day.year, day.month, day.day)


@lru_cache(maxsize=4096)
def _format_day(day, language: str, with_year: bool, style: str) -> str:
    # A page lists the same school days again and again (the attendance table, the schedule): Babel's
    # formatting is the costly part, and a day's text in a language never changes.
    from babel.dates import format_date

    if language not in DAY_PATTERNS:
        language = DEFAULT_LANGUAGE
    pattern = {"weekday": DAY_PATTERNS, "undated": UNDATED_PATTERNS, "short": SHORT_PATTERNS}[style][language]
    return format_date(day, pattern + (YEAR_PATTERNS[language] if with_year else ""), locale=language)
