"""What was typed in a page's form, kept across the language link with JavaScript off (issue 13 item 1).

With JavaScript on, app.js keeps the typing in the tab's own sessionStorage. Without it a link cannot carry a
form, so on a page with a form the language buttons at the top send that form: `form="typed-form"` (the page's
first form made with components/forms.html `form` that has a field to type in: app/templating.py
`typed_form_id`) and `formaction="/language?back=<this page>"`, named `switch_language` so they never mix with
a field of the form called `language`. The language controller keeps what was typed (`keep_typing`), sealed as
every secret waiting in a session row is (wizard_state.sealed: an address or an email must not be readable from
a copy of the database), for that page and ten minutes: in the account's session, or for a visitor who is not
signed in in a new session that replaces theirs (its state carried over), so whoever planted or shares the old
cookie cannot read it or fill the visitor's form. The session middleware hands it to that page's next GET once
(`restore_typing`), and the field macros fill in what was kept (app/templating.py `kept`).

The errors the page showed are kept too (its typed form carries them as hidden fields; with JavaScript on, app.js
adds them to the switcher's own form), so they show again in the new language: a parent who cannot read an
error is the one who switches.

Never kept, here or by app.js: passwords, SSNs, activation keys, one-time codes, the CSRF token; nor the
account's language (the switch itself has just changed it). At most MOST_CHARACTERS of names and values.
Shapes: a draft is {"path": "/household/address", "fields": [[field name, text], ...],
"errors": [[field, message (msgid), params], ...], "until": ISO 8601 UTC}.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from litestar import Request, Response
from litestar.types import Scope

from app import clock, i18n
from app.rules.errors import FieldError
from app.services.sessions import CurrentSession, drop_session_values
from app.templating import start_page
from app.web.forms import SECRETS, read_form
from app.web.guards import current_account
from app.web.wizard_state import remember, remember_in_new_session, sealed, unsealed_from

DRAFT = "typed_draft"  # its name in the session's data
KEPT_FOR = timedelta(minutes=10)
SHOWN_ERROR = "_shown_error"  # the hidden fields of the errors the page showed (app/templating.py shown_errors)
NEVER_KEPT = SECRETS | {"ssn", "activation_key", "code", "_csrf_token", "switch_language", "language", "next",
                        SHOWN_ERROR}
MOST_FIELDS = 40  # the longest form of the portal's has 17
MOST_CHARACTERS = 4000  # names and values together, errors included; what is past it is not kept
MOST_ERRORS = 20
MOST_ERROR_LENGTH = 500  # characters of a message filled in


async def keep_typing(request: Request, response: Response, back: str) -> Response:
    """Keep the posted form's fields (but those NEVER_KEPT) for the page at `back`, then answer `response`.
    Fields are read as every form reads them (app/web/forms.py: first value, text, length-limited)."""
    posted = await request.form()
    names = [name for name in dict.fromkeys(posted.keys()) if name not in NEVER_KEPT][:MOST_FIELDS]
    values = (await read_form(request, *names)).values
    shown = [text for text in posted.getall(SHOWN_ERROR, []) if isinstance(text, str)][:MOST_ERRORS]
    errors = [e for e in (_error(text) for text in shown) if e is not None]
    size = sum(len(json.dumps(e)) for e in errors)
    if size > MOST_CHARACTERS:
        errors, size = [], 0
    fields = []
    for name in names:
        size += len(name) + len(values[name])
        if size > MOST_CHARACTERS:
            break
        fields.append([name, values[name]])
    if not (fields or errors):
        return response
    draft = sealed(DRAFT, {"path": back, "fields": fields, "errors": errors,
                           "until": (clock.now() + KEPT_FOR).isoformat()})
    if current_account(request) is not None:
        return await remember(request, response, **draft)
    return await remember_in_new_session(request, response, carry_over=True, **draft)


async def restore_typing(session: CurrentSession | None, scope: Scope) -> None:
    """At the start of every request: when it GETs the page (path and query) a draft in its session was kept for
    (and not out of date), the draft's fields and errors become what `kept` and `render` give while the page
    renders. A draft is used once: the session forgets it whatever page comes next, before it is read (a draft
    that cannot be read is dropped)."""
    start_page(None)
    if session is None or scope["method"] != "GET" or DRAFT not in session.data:
        return
    draft = unsealed_from(session.data, DRAFT)
    del session.data[DRAFT]  # so nothing this request writes brings it back
    await drop_session_values(session.id, DRAFT)
    query = scope.get("query_string", b"").decode("latin-1")
    typed = _typed(draft, scope["path"] + (f"?{query}" if query else ""))
    if typed is not None:  # the errors were checked by `_error` when kept, and sealed since
        start_page(typed, tuple(_field_error(e) for e in draft.get("errors", [])))


def _typed(draft: object, path: str) -> dict[str, str] | None:
    """A draft's fields as {name: text} if it was kept for `path` and is not out of date; else None."""
    if not isinstance(draft, dict) or draft.get("path") != path or not isinstance(draft.get("fields"), list):
        return None
    try:
        if datetime.fromisoformat(draft["until"]) <= clock.now():
            return None
    except (KeyError, TypeError, ValueError):
        return None
    return {name: text for name, text in (f for f in draft["fields"] if isinstance(f, list) and len(f) == 2)
            if isinstance(name, str) and isinstance(text, str)}


def _error(text: str) -> list | None:
    """An error the page showed, from its hidden field (JSON [field, message, params]), if it is one a page of the
    portal's could show: a message the portal says (i18n.known_messages: never text from the browser, which
    the page would show as the portal's own), params of short text, numbers or days ({"$day": ISO date}) that
    fill it in, the result of a sensible length. Else None (an attacker's find: "%100000000s" made a 100 MB
    page, and a message of their own was shown as markup)."""
    try:
        field, message, params = json.loads(text)
        if not (isinstance(field, str) and len(field) <= 40 and message in i18n.known_messages()
                and isinstance(params, dict) and len(params) <= 5):
            return None
        if len(message % {name: _param(value) for name, value in params.items()}) > MOST_ERROR_LENGTH:
            return None
    except Exception:  # noqa: BLE001 (anything that does not read back or fill in is not an error a page showed)
        return None
    return [field, message, params]


def _param(value: object) -> object:
    """A param of a kept error as the message takes it; ValueError for one no page gives."""
    if isinstance(value, dict) and list(value) == ["$day"]:
        return i18n.ShownDay.of(date.fromisoformat(value["$day"]))
    if isinstance(value, str) and len(value) <= 200:
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) <= 10**9:
        return value  # (json reads 1e400 as inf, which is not <= 10**9)
    raise ValueError("not a param a page gives")


def _field_error(kept: list) -> FieldError:
    field, message, params = kept
    return FieldError(field, message, {name: _param(value) for name, value in params.items()})
