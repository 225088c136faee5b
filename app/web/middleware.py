"""ASGI middleware: load the server-side session, and put the security headers on every response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs

from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import ClientException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app import i18n
from app.services.sessions import load_session
from app.web.health import HEALTH_PATHS
from app.web.rendering import PREFERENCES_STATE_KEY, VISITOR_LANGUAGE_STATE_KEY
from app.web.session_cookie import LANGUAGE_COOKIE, session_cookie_name
from app.web.typed_draft import restore_typing

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def _cookies(scope: Scope) -> dict[str, str]:
    """The request's cookies, parsed once, by Litestar's own parser (which the request's handlers see
    too, and which caches its result in the scope). The standard library's SimpleCookie dropped the whole
    header when any cookie on the domain was not to its taste (`greeting=hello world`, issue 9): one
    other app's cookie signed the parent out on every request."""
    return ASGIConnection(scope).cookies


# More than one cookie of the session's name (a stale one set for a parent domain or another path, which
# browsers send first): each is tried, up to this many, so the live one still signs the parent in.
MOST_SESSION_CANDIDATES = 3


def _session_candidates(scope: Scope, name: str, parsed: str | None) -> list[str]:
    header = _header(scope, b"cookie")
    if header.count(name + "=") < 2:
        return [parsed] if parsed else []
    values = []
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value and value not in values:
            values.append(value.strip().strip('"'))
    return values[:MOST_SESSION_CANDIDATES]


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


class SessionMiddleware:
    """Puts the live session (or None) in `scope["state"]["session"]`, sets the request's language, and hands a
    page the typing kept for it across the language link (app/web/typed_draft.py)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/") or scope["path"] in HEALTH_PATHS:
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        name = session_cookie_name()
        session, preferences = None, None
        for candidate in _session_candidates(scope, name, cookies.get(name)) or [None]:
            session, preferences = await load_session(candidate)
            if session is not None:
                break
        state = scope.setdefault("state", {})
        state["session"] = session
        await restore_typing(session, scope)
        if preferences is not None:
            state[PREFERENCES_STATE_KEY] = preferences  # what district_preferences(request) returns
        # The device's own choice (the switcher's cookie or the browser's language) is kept even when an
        # account's language wins, so signing in can ask which one to keep (issue 13 item 1).
        linked = _linked_language(scope)
        if linked is not None and linked != cookies.get(LANGUAGE_COOKIE):
            send = _setting_language_cookie(send, linked)
        visitor = linked or i18n.visitor_language(cookies.get(LANGUAGE_COOKIE), _header(scope, b"accept-language"))
        state[VISITOR_LANGUAGE_STATE_KEY] = visitor
        if session and session.account:
            language = session.account.language
        else:
            language = visitor or i18n.DEFAULT_LANGUAGE
        with i18n.using_language(language):
            if b"%00" in scope.get("query_string", b""):
                # No address of the portal's has a NUL in it, and PostgreSQL refuses one in any text it is sent
                # (a staff search for "%00" was a 500 there, a 200 on SQLite: an attacker's find): a 400 page,
                # in the visitor's language and the portal's frame, before any handler reads the query.
                raise ClientException("a NUL character in the query string")
            await self.app(scope, receive, send)


def _linked_language(scope: Scope) -> str | None:
    """The language a link from an email carries (`?lang=es`, added by app/mail/outbox.py to every emailed
    link): the page opens in the language the email was written in, and the device keeps it."""
    query = scope.get("query_string", b"")
    if b"lang=" not in query:
        return None
    values = parse_qs(query.decode("latin-1")).get("lang", [])
    return values[0] if len(values) == 1 and values[0] in i18n.available_languages() else None


def _setting_language_cookie(send: Send, language: str) -> Send:
    from app.web.language import language_cookie

    header = language_cookie(language).to_header(header="")

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            MutableScopeHeaders.from_message(message).add("set-cookie", header)
        await send(message)

    return sending


def security_headers(*, hsts: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    """Litestar has no security-header middleware (docs/security.md J5). This is a `before_send` hook rather
    than a middleware because Litestar runs middleware only for matched routes: an unrouted 404 would
    go out without the headers."""

    async def add_headers(message: Message, scope: Scope) -> None:
        if scope["type"] != "http" or message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        if hsts:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if scope["path"].startswith("/static/") and message["status"] in (200, 304):
            headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            headers["Content-Security-Policy"] = CSP
            headers["Cache-Control"] = "no-store"
            headers["X-Frame-Options"] = "DENY"
            vary = headers.get("Vary")
            if not vary:
                headers["Vary"] = "HX-Request"
            elif "hx-request" not in vary.lower():
                headers["Vary"] = f"{vary}, HX-Request"

    return add_headers
