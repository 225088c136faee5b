"""The key slip (staff console) and the key letters (`homeroom keys letters --format html`) as HTML: one
template (templates/staff/key_slip_body.html), rendered in the guardian's language, so the slip handed over
at the office and the letter in the mail say the same thing in the same words (issue 11 items 4, 5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from app import i18n
from app.rules.languages import language_for_guardian
from app.rules.preferences import DistrictPreferences
from app.templating import jinja_environment


def guardian_language(account_language: str | None, sis_language: str | None) -> str:
    """The language a slip or letter is written in: the account's, else the SIS's when the portal has it."""
    return language_for_guardian(account_language, sis_language, i18n.available_languages())


@dataclass(frozen=True)
class SlipWords:
    name: str
    key: str
    expires_on: date  # the district day the key last works
    language: str
    children: tuple[str, ...] = ()  # "Ana Rivera (Maple Street Elementary)"
    address: tuple[str, ...] = ()  # mailing lines under the name (letters only)


def render_key_slip(words: SlipWords, prefs: DistrictPreferences, public_url: str) -> Markup:
    template = jinja_environment().get_template("staff/key_slip_body.html")
    with i18n.using_language(words.language):
        return Markup(template.render(
            name=words.name, key=words.key, expires_on=i18n.format_day(words.expires_on),
            language=words.language, children=list(words.children), address=list(words.address),
            portal_name=prefs.portal_name, district_name=prefs.district_name, help_phone=prefs.help_phone,
            public_url=public_url))


def render_letters(slips: list[Markup], title: str) -> str:
    return jinja_environment().get_template("staff/key_letters.html").render(letters=slips, title=title)
