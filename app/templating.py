"""One Jinja2 environment for pages and emails: autoescape on, gettext installed."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextvars import ContextVar
from datetime import date
from functools import lru_cache

import phonenumbers
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_eval_context, select_autoescape
from markupsafe import Markup

from app import i18n
from app.rules.audit_words import action_words
from app.rules.bidi import isolated
from app.rules.errors import N_, FieldError
from app.paths import TEMPLATES_DIR
from app.services.sis_words import sis_word


@lru_cache(maxsize=1024)  # the district's help number is on every page
def phone_for_reading(e164: str) -> str:
    """+14048021000 -> 404-802-1000 (national format for the district's own numbers)."""
    try:
        number = phonenumbers.parse(e164, "US")
    except phonenumbers.NumberParseException:
        return e164
    style = phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 1 else \
        phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def phone_link(e164: str) -> Markup:
    """A phone number in a page's sentence: a tel: link, which the style sheet keeps on one line (issue 13:
    the help number must never wrap at its hyphens)."""
    return Markup('<a href="tel:{}">{}</a>').format(e164, phone_for_reading(e164))


# What each attendance category is called, for records/parts.html's `category` (translated where shown).
ATTENDANCE_WORDS = {
    "present": N_("Present"),
    "tardy": N_("Tardy"),
    "excused-absence": N_("Excused absence"),
    "unexcused-absence": N_("Unexcused absence"),
    "early-departure": N_("Early departure"),
}


@lru_cache(maxsize=4096)
def translated_message(language: str, autoescape: bool, message: str) -> str:
    """A message without variables in `language` (which must be the current one: it is the cache's key), as
    Markup when `autoescape`, `%%` read as `%` like Jinja's newstyle gettext; kept per language."""
    text = i18n.gettext(message)
    return (Markup(text) if autoescape else text) % {}


@pass_eval_context
def _gettext(eval_context, message: str, **variables):
    """Jinja's own newstyle gettext (the same result: the translation, made Markup where the template
    autoescapes, always used as a format string), with the result of a message that has no variables kept
    per language: a page says ~100 of them and each one cost a Markup, an escaping % and a context call.
    It takes the evaluation context, not the template's context: Jinja derives a new Context for every call
    of a `pass_context` function inside a loop, which cost home more than the translating (issue 13)."""
    autoescape = eval_context.autoescape
    if not variables:
        return translated_message(i18n.current_language(), autoescape, message)
    text = i18n.gettext(message)
    return (Markup(text) if autoescape else text) % {name: isolated(value) for name, value in variables.items()}


@pass_eval_context
def _ngettext(eval_context, singular: str, plural: str, num: int, **variables):
    """Jinja's own newstyle ngettext (`num` is a variable unless given), without the derived context."""
    variables.setdefault("num", num)
    text = i18n.ngettext(singular, plural, num)
    return (Markup(text) if eval_context.autoescape else text) % {name: isolated(value)
                                                                   for name, value in variables.items()}


@pass_eval_context
def attendance_word(eval_context, name: str):
    """An attendance category in words, translated (the category itself, as text to escape, when it has no
    word: it comes from the SIS, so it is never a message nor markup)."""
    word = ATTENDANCE_WORDS.get(name)
    return isolated(name) if word is None else _gettext(eval_context, word)


def number(value) -> str:
    """A score or points as written: 18.5, 20 (`"%g"|format(value)`), nothing for none."""
    return "" if value is None else "%g" % value


# What a page's form was filled with before the visitor switched language with JavaScript off, and whether the
# page has a form the language buttons can send (app/web/typed_draft.py): per request, set by `start_page`.
TYPED_FORM_ID = "typed-form"
_kept: ContextVar[dict[str, str] | None] = ContextVar("kept_typing", default=None)
_form_given: ContextVar[bool] = ContextVar("typed_form_given", default=False)
_fields_asked: ContextVar[int] = ContextVar("fields_asked", default=0)  # `kept` calls so far: fields to type in
_kept_errors: ContextVar[tuple[FieldError, ...]] = ContextVar("kept_errors", default=())
_shown_errors: ContextVar[tuple[FieldError, ...]] = ContextVar("shown_errors", default=())


def start_page(typed: dict[str, str] | None, errors: tuple[FieldError, ...] = ()) -> None:
    """At the start of a request: the typing kept for its page (field name -> text), or None; and the errors
    the page showed when its language was switched (shown again in the new language)."""
    _kept.set(typed)
    _kept_errors.set(errors)
    _shown_errors.set(())


def kept_errors() -> list[FieldError]:
    """The errors kept across a language switch for this request's page (app/web/rendering.py `render`)."""
    return list(_kept_errors.get())


def show_errors(errors: list[FieldError]) -> None:
    """The errors the page being rendered shows: its typed form carries them (`shown_errors`), so switching
    language shows them again in the other (a parent who cannot read an error is who switches)."""
    _shown_errors.set(tuple(errors))


def shown_errors() -> list[str]:
    """For components/forms.html: each error the page shows as JSON [field, message, params], a hidden field; a day
    among the params as {"$day": "2026-11-24"}, so it is written in the language switched to (i18n.ShownDay)."""
    def param(value):
        return {"$day": value.isoformat()} if isinstance(value, date) else value

    return [json.dumps([e.field, e.message, {k: param(v) for k, v in e.params.items()}], default=str)
            for e in _shown_errors.get()]


def kept(name: str, value: object = "", typed_in: bool = True) -> object:
    """For a field's template: what the visitor had typed in `name` before switching language, else `value`.
    `typed_in`: a field to type in (not a choice: radios, a checkbox), which makes its form the one the language
    buttons send (`typed_form_id`)."""
    if typed_in:
        _fields_asked.set(_fields_asked.get() + 1)
    typed = _kept.get()
    return typed[name] if typed is not None and name in typed else value


def fields_so_far() -> int:
    """How many fields to type in the page has rendered so far (each asks `kept`): for `typed_form_id`."""
    return _fields_asked.get()


def typed_form_id(fields_before: int) -> str:
    """The id for a form made by components/forms.html, once its body is rendered: TYPED_FORM_ID for the page's
    first form with a field to type in (more fields so far than `fields_before`, the count as it began), else ""
    (a form of buttons only, like a staff page's Unlock, is not the one typed in)."""
    if _form_given.get() or _fields_asked.get() <= fields_before:
        return ""
    _form_given.set(True)
    return TYPED_FORM_ID


def rendered_main(block: Callable[[], Markup]) -> Markup:
    """A page's main block, rendered (layouts/bare.html, before the header): which form it has starts afresh."""
    _form_given.set(False)
    return block()


def page_typed_form() -> str:
    """The id of the form the language buttons can send, "" when the page rendered so far has none
    (layouts/bare.html renders the main block before the header for this)."""
    return TYPED_FORM_ID if _form_given.get() else ""


def draft_owner(account_id: int) -> str:
    """The page's mark of the signed-in account for app.js's drafts (layouts/bare.html `data-who`): 16 hex
    characters of a keyed digest of its id, so the page gives no id away."""
    from app.services.sealing import keyed_digest

    return keyed_digest(b"draft owner", str(account_id))[:16]


@lru_cache(maxsize=1)
def jinja_environment() -> Environment:
    from app.settings import get_settings
    from app.static_assets import static_integrity, static_url

    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"], default_for_string=True),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Checking every template file's time on disk for every page (a page extends and imports several) is
        # for someone editing templates: the demo. A served portal's templates do not change under it.
        auto_reload=get_settings().is_demo,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    # What `{% trans %}`, `gettext()`, `ngettext()` and `_()` call: `_` directly, not through Jinja's alias
    # (a second context call that looks `gettext` up again).
    env.globals.update(gettext=_gettext, _=_gettext, ngettext=_ngettext)
    env.filters["phone"] = phone_for_reading
    env.filters["phone_link"] = phone_link
    env.filters["number"] = number
    env.filters["isolated"] = isolated  # SIS or family text written inline, outside a message's variables
    from app.services.sessions import IDLE_LIMIT

    env.globals.update(
        idle_seconds=int(IDLE_LIMIT.total_seconds()),
        attendance_word=attendance_word,
        static_url=static_url,
        static_integrity=static_integrity,
        current_language=i18n.current_language,
        available_languages=i18n.available_languages,
        format_moment=i18n.format_moment,
        format_span=i18n.format_span,
        format_day=i18n.format_day,
        time_ago=i18n.time_ago,
        grade_in_words=i18n.grade_in_words,
        sis_word=sis_word,
        audit_action=lambda code: i18n.gettext(action_words(code)),
        is_demo=get_settings().is_demo,
        kept=kept,
        shown_errors=shown_errors,
        draft_owner=draft_owner,
        typed_form_id=typed_form_id,
        fields_so_far=fields_so_far,
        page_typed_form=page_typed_form,
        rendered_main=rendered_main,
    )
    return env
