"""CSRF tokens bound to the session (issue 9). Litestar's CSRF middleware is a double-submit cookie: any
cookie/token pair it ever signed is accepted, so an attacker's own anonymous pair, planted in a parent's
browser, was accepted inside the parent's signed-in session. Here, whenever the request has a session,
the only token accepted is the one derived from that session (an HMAC of its token's digest, keyed
with the secret key): a pair from any other session, or from before sign-in, fails. Requests with no
session keep Litestar's double-submit check unchanged (their forms change nothing a session holds)."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from secrets import compare_digest
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware._utils import should_bypass_middleware
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, CSRFMiddleware, generate_csrf_hash
from litestar.types import Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState


@lru_cache(maxsize=4096)  # the same session's token on every request it makes: two HMACs, once
def session_csrf_token(secret: str, session_token_hash: str) -> str:
    """The session's token, in Litestar's format (a value and its HMAC), so templates need no change."""
    value = hmac.new(secret.encode(), f"csrf\x00{session_token_hash}".encode(),
                     hashlib.sha256).hexdigest()[:CSRF_SECRET_LENGTH]
    return value + generate_csrf_hash(token=value, secret=secret)


class SessionBoundCSRFMiddleware(CSRFMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = scope.get("state", {}).get("session") if scope["type"] == "http" else None
        if session is None or not session.token_hash or should_bypass_middleware(
                scope=scope, scopes=self.scopes, exclude_opt_key=self.config.exclude_from_csrf_key,
                exclude_path_pattern=self.exclude):
            await super().__call__(scope, receive, send)
            return
        expected = session_csrf_token(self.config.secret, session.token_hash)
        request: Any = scope["litestar_app"].request_class(scope=scope, receive=receive)
        state = ScopeState.from_scope(scope)
        if request.method in self.config.safe_methods:
            state.csrf_token = expected
            cookie = request.cookies.get(self.config.cookie_name)
            await self.app(scope, receive, self._cookie_setter(send, expected) if cookie != expected else send)
            return
        sent = request.headers.get(self.config.header_name)
        content_type, _ = request.content_type
        if not sent and content_type in {RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART}:
            sent = (await request.form()).get("_csrf_token")
        # The cookie must hold it too (as Litestar's double-submit asks): two proofs, not one.
        cookie = request.cookies.get(self.config.cookie_name) or ""
        if not isinstance(sent, str) or not compare_digest(sent, expected) or not compare_digest(cookie, expected):
            raise PermissionDeniedException("CSRF token verification failed")
        state.csrf_token = sent
        await self.app(scope, receive, send)

    def _set_cookie_if_needed(self, message: Any, token: str) -> None:
        """Litestar's anonymous cookie, unless the response sets one already (a new session's, bound to it,
        from app/web/session_cookie.py: that one must win)."""
        headers = MutableScopeHeaders.from_message(message)
        if any(v.startswith(f"{self.config.cookie_name}=") for v in headers.getall("set-cookie", [])):
            return
        super()._set_cookie_if_needed(message, token)

    def _cookie_setter(self, send: Send, token: str) -> Send:
        """The cookie follows the session's token (the double-submit half is no longer what is checked, but
        a client that reads the cookie, as the tests' browser does, finds the right value)."""

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                self._set_cookie_if_needed(message, token)
            await send(message)

        return wrapped
