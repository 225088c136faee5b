"""Wizard state between steps lives in the server-side session, never in fields the client can edit
(docs/design.md §4.3). An anonymous session is started the first time a wizard needs one.

A step that raises what the session can do (an activation key accepted, a reset or email-confirmation
link opened) never writes into the session the browser came with: that cookie may have been planted on a
shared computer, or be shared with whoever planted it. It starts a new session and ends the old one
(`remember_in_new_session`); a link that leads nowhere writes no session at all."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from app.sealing import Unsealable, seal, unseal
from app.services.sessions import drop_session_values, replace_session, save_session_data, start_session
from app.settings import get_settings
from app.web.guards import current_session
from app.web.rendering import client_ip, user_agent
from app.web.session_cookie import set_session_cookie


def wizard_value(request: Request, name: str) -> Any:
    session = current_session(request)
    return session.data.get(name) if session else None


def sealed(name: str, value: Any) -> dict[str, str]:
    """`{name: value}` for `remember` or a new session's data, the value sealed (app/sealing.py: AES-GCM under the
    secret key, for this name only). For a secret that waits in the session row until a page shows it once (an
    activation key for the slip, a temporary password, recovery codes): a copy of the database (a backup, SQLite's
    WAL, PostgreSQL's dead rows) must not give it away (docs/security.md I9)."""
    return {name: seal(value, secret_key=get_settings().secret_key, purpose=f"session:{name}")}


def unsealed_value(request: Request, name: str) -> Any:
    """A value stored with `sealed`, or None: absent, not sealed, or sealed under a secret key that has changed."""
    session = current_session(request)
    return unsealed_from(session.data, name) if session else None


def unsealed_from(data: dict[str, Any], name: str) -> Any:
    """`unsealed_value` from a session's data itself (for the session middleware, before a request exists)."""
    raw = data.get(name)
    if not isinstance(raw, str):
        return None
    try:
        return unseal(raw, secret_key=get_settings().secret_key, purpose=f"session:{name}")
    except Unsealable:
        return None


async def remember(request: Request, response: Response, **values: Any) -> Response:
    """Store values in the session (creating an anonymous one if needed) and return the response."""
    session = current_session(request)
    if session is None:
        token = await start_session(account_id=None, ip=client_ip(request), user_agent=user_agent(request),
                                    data=values)
        return set_session_cookie(response, token)
    await save_session_data(session.id, {**session.data, **values})
    return response


async def remember_in_new_session(request: Request, response: Response, *, carry_over: bool = False,
                                  **values: Any) -> Response:
    """Store values in a NEW session that replaces the browser's (which ends). A signed-in session keeps
    its account and its own state; an anonymous one carries nothing over (it may be someone else's) unless
    `carry_over`: for values only its new holder may read, beside state the browser goes on with either way."""
    session = current_session(request)
    signed_in = session is not None and session.account is not None
    data = {**session.data, **values} if signed_in or (carry_over and session) else dict(values)
    token = await replace_session(session, account_id=session.account.id if signed_in else None,
                                  ip=client_ip(request), user_agent=user_agent(request), data=data)
    return set_session_cookie(response, token)


async def forget(request: Request, *names: str) -> None:
    session = current_session(request)
    if session:
        await drop_session_values(session.id, *(n for n in names if n in session.data))
