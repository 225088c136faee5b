"""The session cookie: `__Host-` prefixed, Secure, HttpOnly, SameSite=Lax (plain names only for a local
http demo or test, where Secure cookies cannot be set)."""

from __future__ import annotations

from litestar import Response

from app.services.sessions import ABSOLUTE_LIMIT
from app.settings import get_settings


# The language a visitor who is not signed in chose (the footer's switcher; SessionMiddleware reads it).
LANGUAGE_COOKIE = "lang"


def session_cookie_name() -> str:
    return "__Host-session" if get_settings().secure_cookies else "homeroom_session"


def csrf_cookie_name() -> str:
    return "__Host-csrftoken" if get_settings().secure_cookies else "homeroom_csrftoken"


def set_session_cookie(response: Response, token: str) -> Response:
    response.set_cookie(
        key=session_cookie_name(),
        value=token,
        path="/",
        secure=get_settings().secure_cookies,
        httponly=True,
        samesite="lax",
        max_age=int(ABSOLUTE_LIMIT.total_seconds()),
    )
    return response


def clear_session_cookies(response: Response) -> Response:
    """At sign-in and sign-out: the old session cookie goes, and so does the CSRF cookie, so the next
    page gets a fresh CSRF token (security note J2). Each deletion carries the attributes the cookie was
    set with: a browser ignores a `__Host-` cookie without `Secure`, deletion included, and kept the dead
    session cookie (issue 9)."""
    secure = get_settings().secure_cookies
    response.set_cookie(key=session_cookie_name(), value="", path="/", secure=secure, httponly=True,
                        samesite="lax", max_age=0, expires=0)
    response.set_cookie(key=csrf_cookie_name(), value="", path="/", secure=secure, httponly=True, samesite="lax",
                        max_age=0, expires=0)
    return response


# "Trusted for 30 days on this browser" (issue 14): a random token whose digest is a TrustedBrowser row.
def trusted_cookie_name() -> str:
    return "__Host-trusted" if get_settings().secure_cookies else "homeroom_trusted"


def set_trusted_cookie(response: Response, token: str, max_age: int) -> Response:
    response.set_cookie(key=trusted_cookie_name(), value=token, path="/", secure=get_settings().secure_cookies,
                        httponly=True, samesite="lax", max_age=max_age)
    return response
