"""What was typed in a page's form, kept across the language link with JavaScript off (issue 13 item 1).

With JavaScript on, app.js keeps the typing in the tab's own sessionStorage. Without it a link cannot carry a
form, so on a page with a form the language buttons at the top send that form: `form="typed-form"` (the page's
first form made with components/forms.html `form`: app/templating.py `typed_form_id`) and
`formaction="/language?back=<this page>"`, named `switch_language` so they never mix with a field of the form
called `language`. The language controller keeps what was typed in the visitor's session (`keep_typing`: an
anonymous one is started if need be, like a wizard's), sealed as every secret waiting in a session row is
(wizard_state.sealed: an address or an email must not be readable from a copy of the database), for that page
and ten minutes. The session middleware hands it to that page's next GET once (`restore_typing`), and the
field macros fill in what was kept (app/templating.py `kept`).

Never kept, here or by app.js: passwords, SSNs, activation keys, one-time codes, the CSRF token.
Shapes: a draft is {"path": "/household/address", "values": {field name: text}, "until": ISO 8601 UTC}.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from litestar import Request, Response

from app import clock
from app.templating import start_page
from app.services.sessions import CurrentSession, save_session_data
from app.web.forms import SECRETS, read_form
from app.web.wizard_state import remember, sealed, unsealed_from

DRAFT = "typed_draft"  # its name in the session's data
KEPT_FOR = timedelta(minutes=10)
NEVER_KEPT = SECRETS | {"ssn", "activation_key", "code", "_csrf_token", "switch_language"}
MOST_FIELDS = 40  # the longest form of the portal's has 17


async def keep_typing(request: Request, response: Response, back: str) -> Response:
    """Keep the posted form's fields (but those NEVER_KEPT) for the page at `back`, then answer `response`.
    Fields are read as every form reads them (app/web/forms.py: first value, text, length-limited)."""
    posted = await request.form()
    names = [name for name in dict.fromkeys(posted.keys()) if name not in NEVER_KEPT][:MOST_FIELDS]
    if not names:
        return response
    values = (await read_form(request, *names)).values
    until = (clock.now() + KEPT_FOR).isoformat()
    return await remember(request, response, **sealed(DRAFT, {"path": back, "values": values, "until": until}))


async def restore_typing(session: CurrentSession | None, method: str, path: str) -> None:
    """At the start of every request: when it GETs `path` in a session holding a draft kept for that page (and not
    out of date), the draft's values become what `kept` gives while the page renders. A draft is used once: the
    session forgets it whatever page comes next (taken out of `session.data` too, so nothing writes it back)."""
    start_page(None)
    if session is None or method != "GET" or DRAFT not in session.data:
        return
    draft = unsealed_from(session.data, DRAFT)
    del session.data[DRAFT]
    await save_session_data(session.id, session.data)
    if isinstance(draft, dict) and draft.get("path") == path and isinstance(draft.get("values"), dict) \
            and datetime.fromisoformat(draft["until"]) > clock.now():
        start_page({str(k): str(v) for k, v in draft["values"].items()})
