"""Error pages: friendly, in the portal's frame, never a stack trace (docs/quality.md §4, §5)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.response import Template

from litestar.middleware.csrf import generate_csrf_token
from litestar.types import Empty
from litestar.utils.scope.state import ScopeState

from app import i18n
from app.database_errors import database_busy, database_unavailable
from app.web.csrf import session_csrf_token
from app.rules.errors import N_
from app.rules.preferences import DistrictPreferences
from app.services.preferences import load_preferences
from app.services.sessions import load_session
from app.settings import get_settings
from app.services.password_hashing import HashingBusy
from app.rules.language_switch import return_path
from app.web.rendering import here, is_htmx, redirect_after_post
from app.web.rendering import PREFERENCES_STATE_KEY
from app.web.session_cookie import LANGUAGE_COOKIE, csrf_cookie_name, session_cookie_name

log = logging.getLogger("homeroom.web")


@dataclass(frozen=True)
class Problem:
    title: str
    explanation: str
    next_step: str


PROBLEMS = {
    400: Problem(N_("Something in the request was not right"), N_("Nothing was changed. Go back and try again."),
                 N_("Go to the start page")),
    403: Problem(N_("This form has expired"),
                 N_("For your security, forms stop working after a while or when you log in or out in another "
                    "tab. Nothing was changed."), N_("Start again")),
    404: Problem(N_("Page not found"), N_("If you typed the web address, check it is correct."),
                 N_("Go to the start page")),
    500: Problem(N_("Sorry, something went wrong"), N_("The problem has been recorded. Try again in a few minutes."),
                 N_("Go to the start page")),
    503: Problem(N_("The portal is busy"),
                 N_("Too many people are using the portal right now, or it is being updated. Nothing was lost. "
                    "Try again in a minute."), N_("Try again")),
}


class ErrorPage(Template):
    """An error page in the portal's frame (district name, help number, navigation when signed in) and the
    visitor's language (issue 13 item 1). A request no route matched never went through the session
    middleware (Litestar runs middleware for routes only), so this page looks the session up itself when it
    must; a 500 or 503 never reads the database (it may be the thing that is down)."""

    def to_asgi_response(self, app, request, **kwargs):  # type: ignore[override]
        async def respond(scope, receive, send) -> None:
            language = await self._frame(request)
            with i18n.using_language(language):
                asgi = Template.to_asgi_response(self, app, request, **kwargs)  # renders here
            await asgi(scope, receive, send)

        return respond

    async def _frame(self, request: Request) -> str:
        state = request.scope.setdefault("state", {})
        may_read_database = self.status_code < 500
        if "session" not in state and may_read_database:  # no route matched: the middleware did not run
            try:
                session, preferences = await load_session(request.cookies.get(session_cookie_name()))
                state["session"] = session
                if preferences is not None:
                    state[PREFERENCES_STATE_KEY] = preferences
            except Exception:  # noqa: BLE001 (the error page must still be shown)
                log.warning("error page without the session: the database did not answer")
        if PREFERENCES_STATE_KEY not in state and may_read_database:
            try:
                state[PREFERENCES_STATE_KEY] = await load_preferences()
            except Exception:  # noqa: BLE001
                log.warning("error page without the district's preferences: the database did not answer")
        session = state.get("session")
        account = session.account if session else None
        self.context.update({"prefs": state.get(PREFERENCES_STATE_KEY) or DistrictPreferences(),
                             "account": account, "here": "/", "notice": None})
        self._csrf_token(request)
        # Chosen here, not taken from the middleware: an exception handler renders after the middleware's
        # language has been put back.
        if account:
            return account.language
        return i18n.visitor_language(request.cookies.get(LANGUAGE_COOKIE),
                                     request.headers.get("accept-language", "")) or i18n.DEFAULT_LANGUAGE

    def _csrf_token(self, request: Request) -> None:
        """The frame's forms (language, log out) need the CSRF token, which only routed requests get."""
        scope_state = ScopeState.from_scope(request.scope)
        if scope_state.csrf_token is not Empty and scope_state.csrf_token:
            return
        settings = get_settings()
        token = request.cookies.get(csrf_cookie_name())
        session = request.scope.get("state", {}).get("session")
        # With a session only the token bound to it is accepted (app/web/csrf.py, issue 9).
        wanted = session_csrf_token(settings.secret_key, session.token_hash) if session and session.token_hash else None
        if not token or (wanted and token != wanted):
            token = wanted or generate_csrf_token(settings.secret_key)
            self.set_cookie(key=csrf_cookie_name(), value=token, path="/", secure=settings.secure_cookies,
                            httponly=True, samesite="lax")
        scope_state.csrf_token = token


def _page(request: Request, status: int, headers: dict | None = None) -> Response:
    return ErrorPage(
        template_name="errors/error.html",
        context={"layout": "layouts/fragment.html" if is_htmx(request) else "layouts/page.html", "errors": [],
                 "field_errors": {}, "problem": PROBLEMS[status if status in PROBLEMS else 400],
                 # "Start again" on the page whose form expired; everything else starts from the start page.
                 "next_url": (page_to_come_back_to(request) or "/") if status == 403 else "/"},
        status_code=status,
        headers=headers or {},
    )


def not_signed_in(request: Request, _: NotAuthorizedException) -> Response:
    """To the login page, which brings the parent back to this page afterwards (issue 13 item 4)."""
    had_session = session_cookie_name() in request.cookies
    # A form sent without JavaScript is lost with the session: the parent is told so plainly, not only that the
    # session ended (a tester's find: a long absence note vanished without a word). With htmx the page keeps what
    # was typed and puts it back after signing in (static/js/app.js), so the usual notice is true there.
    form_lost = request.method not in ("GET", "HEAD") and not is_htmx(request)
    query = {"notice": "form-not-sent" if form_lost else "session-ended"} if had_session else {}
    page = page_to_come_back_to(request)
    if page:
        query["next"] = page
    return redirect_after_post(request, "/" + (f"?{urlencode(query)}" if query else ""), whole_page=True)


def page_to_come_back_to(request: Request) -> str:
    """The page the parent was on: the address of a page they asked for, or the page of the form they sent
    (with htmx, the page in the address bar; without, the form's own address when it is a page, else the nearest
    page above it: /household/verify -> /household, /staff/key-requests/ID/deny -> /staff/key-requests/ID; the
    form's own address alone led to a 405 after signing in for a form posting where no page is, a retester's find).
    A path of this site only."""
    if request.method == "GET":
        page = here(request)
    elif is_htmx(request) and request.headers.get("hx-current-url"):
        parts = urlsplit(request.headers["hx-current-url"])
        page = parts.path + (f"?{parts.query}" if parts.query else "")
    else:
        page = _nearest_page(request, request.url.path)
        if page == request.url.path and request.url.query:  # the form's own address, query and all
            page += f"?{request.url.query}"  # (/language?back=/request-key leads back to the key request)
    page = return_path(page)
    return "" if page == "/" or page.startswith("/?") else page


def _nearest_page(request: Request, path: str) -> str:
    """`path` if a page (a GET route) answers there, else the nearest such path above it ("/" at the top)."""
    while path not in ("", "/"):
        try:
            request.app.asgi_router.handle_routing(path, "GET")
            return path
        except HTTPException:  # no route there (404), or none for GET (405)
            path = path.rstrip("/").rpartition("/")[0]
    return "/"


def not_found(request: Request, _: NotFoundException) -> Response:
    return _page(request, 404)


def forbidden(request: Request, _: PermissionDeniedException) -> Response:
    # In practice: a form posted without a valid CSRF token (an old tab, cookies cleared).
    return _page(request, 403)


def other_http_error(request: Request, error: HTTPException) -> Response:
    if error.status_code >= 500:
        return server_error(request, error)
    # The exception's headers go out too: a 405's Allow says which methods the address takes (issue 9).
    return _page(request, error.status_code if 400 <= error.status_code < 500 else 400, dict(error.headers or {}))


def busy(request: Request, _: HashingBusy) -> Response:
    return _page(request, 503, {"Retry-After": "5"})


def server_error(request: Request, error: Exception) -> Response:
    """The database away or busy is the friendly 503 with Retry-After (a warning, no traceback: nothing is
    wrong with the code); anything else is a real fault, logged with its traceback (app/database_errors.py)."""
    if database_unavailable(error) or database_busy(error):
        log.warning("database %s: %s: %s", "busy" if database_busy(error) else "unavailable",
                    type(error).__name__, str(error)[:200].replace("\n", " "))
        return _page(request, 503, {"Retry-After": "5"})
    log.exception("unhandled error on %s %s", request.method, request.url.path.replace("\n", "\\n"))
    return _page(request, 500)


EXCEPTION_HANDLERS = {
    NotAuthorizedException: not_signed_in,
    NotFoundException: not_found,
    PermissionDeniedException: forbidden,
    HashingBusy: busy,
    HTTPException: other_http_error,
    Exception: server_error,
}
