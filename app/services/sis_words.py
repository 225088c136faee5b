"""What a parent reads for a value that comes from the SIS (issue 13 item 10): a term's name ("Q1",
"Fall Semester") or an absence reason ("Excused Illness") inside a Spanish sentence is English. The district
fills a table of (kind, SIS value, language, text) — `homeroom import translations FILE` — and every page
and email that shows such a value asks `sis_word(kind, value)`; a value with no row reads as the SIS sent it.

Cheap by design: the whole table (a district has tens of rows) is read into this process at most once per
CACHE_FOR, never per child or per row; a change made through this module (the import) clears it at once,
and other processes see it within CACHE_FOR. `refresh()` is awaited before a page or an email is rendered
(app/web/rendering.py, app/mail/sender.py), so the templates' `sis_word` never touches the database.
"""

from __future__ import annotations

import time

from app import i18n

KINDS = ("term", "absence-reason", "relationship")  # relationship: a guardian's to a student ("mother")
CACHE_FOR = 60.0  # seconds

_words: dict[tuple[str, str, str], str] = {}
_loaded_at: float | None = None


def _key(value: str) -> str:
    """SIS values are matched without regard to case or surrounding spaces ("q1 " is "Q1")."""
    return " ".join(value.split()).casefold()


async def refresh(*, force: bool = False) -> None:
    """Read the table when the copy in this process is older than CACHE_FOR (one SELECT; none otherwise)."""
    global _words, _loaded_at
    if not force and _loaded_at is not None and time.monotonic() - _loaded_at < CACHE_FOR:
        return
    from app.tables import SisTranslation

    rows = await SisTranslation.select(SisTranslation.kind, SisTranslation.sis_value, SisTranslation.language,
                                       SisTranslation.text)
    _words = {(r["kind"], _key(r["sis_value"]), r["language"]): r["text"] for r in rows}
    _loaded_at = time.monotonic()


def forget() -> None:
    """Drop this process's copy (after a change, and between tests)."""
    global _words, _loaded_at
    _words, _loaded_at = {}, None


def sis_word(kind: str, value: str | None, language: str | None = None) -> str:
    """The district's words for an SIS value in the current language (or `language`), else the value."""
    if not value:
        return value or ""
    return _words.get((kind, _key(value), language or i18n.current_language()), value)


async def replace_translations(rows: list[tuple[str, str, str, str]]) -> dict[str, int]:
    """Write (kind, SIS value, language, text) rows: a row for a (kind, value, language) already there
    replaces its text; rows not in the list stay. Joins the caller's transaction. Returns the counts."""
    from app.tables import SisTranslation

    existing = {(r["kind"], _key(r["sis_value"]), r["language"]): r for r in await SisTranslation.select()}
    added = changed = 0
    for kind, value, language, text in rows:
        found = existing.get((kind, _key(value), language))
        if found is None:
            await SisTranslation.insert(SisTranslation(kind=kind, sis_value=value, language=language, text=text))
            added += 1
        elif found["text"] != text:
            await SisTranslation.update({SisTranslation.text: text}).where(SisTranslation.id == found["id"])
            changed += 1
    forget()
    return {"added": added, "changed": changed}
