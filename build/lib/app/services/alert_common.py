"""What the alert, digest and absence-report emails share: who may be told about which child (the records
pages' own rule, `records.linked_student`), in which language, and the context every email carries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app import i18n
from app.i18n import available_languages
from app.rules.alerts import unsubscribe_token
from app.rules.languages import language_for_guardian
from app.rules.preferences import DistrictPreferences
from app.services import records
from app.settings import get_settings


@dataclass(frozen=True)
class Recipient:
    account_id: int
    guardian_id: int
    email: str
    language: str


def guardian_language(account_language: str | None, sis_language: str | None = None) -> str:
    """The language to write to a guardian in: the portal's shared rule (app/rules/languages.py)."""
    return language_for_guardian(account_language, sis_language, available_languages())


async def may_see(recipient: Recipient, student_public_id: str, today: date) -> records.Student | None:
    """The student if this guardian may see them today, by the rule every records page applies."""
    reader = records.Reader(account_id=recipient.account_id, guardian_id=recipient.guardian_id, today=today)
    return await records.linked_student(reader, student_public_id)


def email_context(prefs: DistrictPreferences) -> dict:
    return {"portal_name": prefs.portal_name, "district_name": prefs.district_name, "help_phone": prefs.help_phone,
            "portal_url": get_settings().public_url}


def unsubscribe_url(account_id: int, kind: str) -> str:
    return f"{get_settings().public_url}/unsubscribe/{unsubscribe_token(get_settings().secret_key, account_id, kind)}"


def student_url(public_id: str, page: str) -> str:
    return f"{get_settings().public_url}/students/{public_id}/{page}"


def day_text(day: date, language: str) -> str:
    """A day as the guardian reads it, for a subject line (rendered outside the template)."""
    with i18n.using_language(language):
        return i18n.format_day(day)
