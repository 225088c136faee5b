"""The suite-wide secret scan (docs/quality.md §4): the fixtures' SSNs, passwords, activation keys, reset tokens
and session ids are registered here as they are made, and every response body, received email and
captured log record is checked for them.

Where a secret may appear: an activation key in the activation-key email, and an activation key or SSN in
the reply to the very request that typed it (the form shows back what was typed); a reset token in the reset
email. Nowhere else.
"""

from __future__ import annotations

from urllib.parse import unquote_plus

import httpx

PASSWORD, KEY, TOKEN, SESSION, SSN = "password", "activation key", "reset token", "session id", "SSN"
ALLOWED_IN_EMAIL = {KEY, TOKEN}

_secrets: dict[str, str] = {}
_leaks: list[str] = []


def remember(value: str, kind: str) -> str:
    if value and len(value) >= 4:
        _secrets[value] = kind
    return value


def remember_key(key: str) -> str:
    remember(key, KEY)
    remember(key.replace("-", ""), KEY)
    return key


def start_test() -> None:
    _secrets.clear()
    _leaks.clear()


def _found(text: str) -> list[tuple[str, str]]:
    return [(value, kind) for value, kind in _secrets.items() if value in text]


def scan_response(response: httpx.Response) -> None:
    from tests.integration.portal import SESSION_COOKIE

    for cookie in response.cookies.jar:
        if cookie.name == SESSION_COOKIE and cookie.value:
            remember(cookie.value, SESSION)
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith(("text/", "application/json")) or not response.content:
        return
    body = response.text
    try:
        content = response.request.content
    except httpx.RequestNotRead:  # a request httpx made itself, following a redirect: it sent no body
        content = b""
    sent = unquote_plus(content.decode("latin-1")) if content else ""
    for value, kind in _found(body):
        if kind in (KEY, SSN) and value in sent:
            continue  # a form shows back the key or SSN typed into it, in that one reply (issue 13 item 3)
        _leaks.append(f"{kind} in the body of {response.request.method} {response.request.url.path} "
                      f"({response.status_code})")


def scan_email(mail) -> None:
    content = mail.message.as_string()
    for _, kind in _found(content):
        if kind not in ALLOWED_IN_EMAIL:
            _leaks.append(f"{kind} in the email {mail.subject!r} to {mail.to}")


def scan_text(text: str, *, where: str) -> None:
    for _, kind in _found(text):
        _leaks.append(f"{kind} in {where}")


def assert_no_leaks() -> None:
    assert not _leaks, "secrets leaked:\n" + "\n".join(_leaks)
