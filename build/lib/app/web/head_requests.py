"""HEAD answers like GET, without the body (RFC 9110 §9.3.2): uptime monitors and link checkers use it,
and Litestar routes HEAD only to handlers that name it, so every page answered 405 (issue 9). The request
runs as a GET, through the same middleware and guards, and only the body is left out; the headers
(Content-Length included) are the GET's."""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send


def head_as_get(app: ASGIApp) -> ASGIApp:
    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await app({**scope, "method": "GET"}, receive, send_without_body)

    return handle
