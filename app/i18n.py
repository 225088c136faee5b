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
def _translations(language: str) -> _gettext.NullTranslations:
    """The catalog is read from its .po file (no compiled .mo files in the repository)."""
    po_file = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not po_file.exists():
        return _gettext.NullTranslations()
    with po_file.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


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


# How each language writes a moment and a school day (Babel patterns): US English "Tuesday, March 10, 3:05 PM"
# and "Tue, Mar 10" (issue 13 item 10); "martes 10 de marzo, 15:05" and "mar 10 de mar".
MOMENT_PATTERNS = {"en": "EEEE, MMMM d, h:mm a", "es": "EEEE d 'de' MMMM, H:mm"}
DAY_PATTERNS = {"en": "EEE, MMM d", "es": "EEE d 'de' MMM"}
LONG_DAY_PATTERNS = {"en": "EEEE, MMMM d, y", "es": "EEEE d 'de' MMMM 'de' y"}  # a letter's expiry date


def format_moment(moment, zone: str) -> str:
    """A date and time as a parent reads it, in the district's time zone and the current language."""
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime

    language = _language.get()
    return format_datetime(moment.astimezone(ZoneInfo(zone)), MOMENT_PATTERNS.get(language, MOMENT_PATTERNS["en"]),
                           locale=language)


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
    from app.rules.grade_levels import grade_words

    shown = grade_words(value)
    if shown is None:
        return ""
    text, known = shown
    return gettext(text) if known else text


def format_day(day) -> str:
    """A school day as a parent reads it, in the current language."""
    return _format_day(day, _language.get())


class Shown:
    """A message's parameter that is itself a msgid (N_) or the district's own words: translated in the
    language current when it is shown (the district's words, having no msgid, stay as written)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return gettext(self.text) if self.text else ""


class ShownDay(date):
    """A day that writes itself as a parent reads it ("Sat, Mar 14"; "sáb 14 de mar"), in the language current
    when it is shown: for a message's %(day)s parameter made before the language is known."""

    def __str__(self) -> str:
        return format_day(date(self.year, self.month, self.day))

    @classmethod
    def of(cls, day: date) -> ShownDay:
        return cls(day.year, day.month, day.day)


def format_long_day(day) -> str:
    """A day with its year, written out ("Thursday 9 April 2026"), in the current language."""
    from babel.dates import format_date

    language = _language.get()
    return format_date(day, LONG_DAY_PATTERNS.get(language, LONG_DAY_PATTERNS["en"]), locale=language)


@lru_cache(maxsize=4096)
def _format_day(day, language: str) -> str:
    # A page lists the same school days again and again (the attendance table, the schedule): Babel's
    # formatting is the costly part, and a day's text in a language never changes.
    from babel.dates import format_date

    return format_date(day, DAY_PATTERNS.get(language, DAY_PATTERNS["en"]), locale=language)
