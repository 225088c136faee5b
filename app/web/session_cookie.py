"""The session cookie: `__Host-` prefixed, Secure, HttpOnly, SameSite=Lax (plain names only for a local
http demo or test, where Secure cookies cannot be set)."""

from __future__ import annotations

from litestar import Response
from litestar.datastructures import Cookie

from app.rules.tokens import token_digest
from app.services.sessions import ABSOLUTE_LIMIT
from app.settings import get_settings
from app.web.csrf import session_csrf_token


# The language a visitor who is not signed in chose (the footer's switcher; SessionMiddleware reads it).
LANGUAGE_COOKIE = "lang"


def session_cookie_name() -> str:
    return "__Host-session" if get_settings().secure_cookies else "homeroom_session"


def csrf_cookie_name() -> str:
    return "__Host-csrftoken" if get_settings().secure_cookies else "homeroom_csrftoken"


def _put(response: Response, cookie: Cookie) -> None:
    """One Set-Cookie per name: a later call (a new session after the old one's deletion) replaces."""
    response.cookies = [c for c in response.cookies if c.key != cookie.key] + [cookie]


def set_session_cookie(response: Response, token: str) -> Response:
    """The new session's cookie, and the CSRF cookie bound to it (app/web/csrf.py), in the same response:
    the next form works even before a page has been fetched in the new session."""
    settings = get_settings()
    _put(response, Cookie(key=session_cookie_name(), value=token, path="/", secure=settings.secure_cookies,
                          httponly=True, samesite="lax", max_age=int(ABSOLUTE_LIMIT.total_seconds())))
    csrf_token = session_csrf_token(settings.secret_key, token_digest(token))
    _put(response, Cookie(key=csrf_cookie_name(), value=csrf_token, path="/", secure=settings.secure_cookies,
                          httponly=True, samesite="lax"))
    # For a script whose request started the session (the passkey ceremony's first step): the page's form
    # still holds the old token, and the cookie is HttpOnly. Same-origin only, like the token in any form.
    response.headers["X-CSRF-Token"] = csrf_token
    return response


def clear_session_cookies(response: Response) -> Response:
    """At sign-in and sign-out: the old session cookie goes, and so does the CSRF cookie, so the next
    page gets a fresh CSRF token (docs/security.md J2). Each deletion carries the attributes the cookie was
    set with: a browser ignores a `__Host-` cookie without `Secure`, deletion included, and kept the dead
    session cookie (issue 9)."""
    secure = get_settings().secure_cookies
    for name in (session_cookie_name(), csrf_cookie_name()):
        _put(response, Cookie(key=name, value="", path="/", secure=secure, httponly=True, samesite="lax", max_age=0,
                              expires=0))
    return response


# "Trusted for 30 days on this browser" (issue 14): a random token whose digest is a TrustedBrowser row.
def trusted_cookie_name() -> str:
    return "__Host-trusted" if get_settings().secure_cookies else "homeroom_trusted"


def set_trusted_cookie(response: Response, token: str, max_age: int) -> Response:
    response.set_cookie(key=trusted_cookie_name(), value=token, path="/", secure=get_settings().secure_cookies,
                        httponly=True, samesite="lax", max_age=max_age)
    return response
