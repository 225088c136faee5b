"""One way to answer: a page, or (for htmx) the same template's main block as a fragment. Same URL,
same template; the layout is chosen per request (`{% extends layout %}`)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.plugins.htmx import ClientRedirect, HTMXRequest, HTMXTemplate
from litestar.response import Redirect, Template

from app.rules.errors import FieldError
from app.rules.preferences import DistrictPreferences
from app.services import sis_words
from app.services.preferences import load_preferences
from app.templating import kept_errors, show_errors
from app.web.guards import current_account


def is_htmx(request: Request) -> bool:
    """An htmx request that swaps a fragment in (a history restore wants the whole page)."""
    details = request.htmx if isinstance(request, HTMXRequest) else None
    return bool(details) and not details.history_restore_request


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")[:255]


PREFERENCES_STATE_KEY = "district_preferences"  # in the request's scope state
VISITOR_LANGUAGE_STATE_KEY = "visitor_language"  # the device's language (cookie or browser), None if neither


def visitor_language(request: Request) -> str | None:
    return request.scope.get("state", {}).get(VISITOR_LANGUAGE_STATE_KEY)


def here(request: Request) -> str:
    """This page's path and query, for a form that comes back to it."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


async def district_preferences(request: Request) -> DistrictPreferences:
    """The district's preferences, read at most once per request (by the session middleware, in the
    session's round trip, when the request brings a session cookie; otherwise here): kept in the
    request's own state and nowhere else, so a preference changed by another process shows on the very
    next request."""
    state = request.scope.setdefault("state", {})
    if PREFERENCES_STATE_KEY not in state:
        state[PREFERENCES_STATE_KEY] = await load_preferences()
    return state[PREFERENCES_STATE_KEY]


async def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
                 errors: list[FieldError] | None = None, status: int | None = None) -> Template:
    """A page (or fragment). With errors the status is 422, so htmx swaps the re-rendered form in and a
    script can tell success from failure."""
    htmx = is_htmx(request)
    await sis_words.refresh()  # the district's words for SIS values, at most one read a minute (not per page)
    # A fragment reached by a link or by following a 303 after a form: its real URL goes in history.
    push_url = here(request) if htmx and request.method == "GET" else None
    status = status or (422 if errors else 200)
    # The page's own errors, or (a GET after switching language) those it showed before the switch.
    errors = errors or kept_errors()
    show_errors(errors)
    return HTMXTemplate(
        template_name=template,
        context={
            "layout": "layouts/fragment.html" if htmx else "layouts/page.html",
            "errors": errors,
            "field_errors": {e.field: e for e in reversed(errors)},
            "prefs": await district_preferences(request),
            "account": current_account(request),
            "notice": None,
            "here": here(request),
            **(context or {}),
        },
        status_code=status,
        push_url=push_url,
    )


def redirect_after_post(request: Request, url: str, *, whole_page: bool = False) -> Response:
    """Post/Redirect/Get. Without JavaScript: 303. With htmx: the 303 too (fetch follows it and the next
    step swaps in), unless the page's frame changes (signing in or out), which reloads the whole page."""
    if whole_page and is_htmx(request):
        response = ClientRedirect(url)
        response.status_code = 200  # htmx follows HX-Redirect on a 2xx; a POST handler would answer 201
        return response
    return Redirect(path=url, status_code=303)
