""""Stay logged in" (issue 13 item 4): the idle warning's button asks for this. Reading the session in the
middleware is what keeps it alive (its last activity is written then); there is nothing else to do."""

from __future__ import annotations

from litestar import Controller, Response, get


class KeepAliveController(Controller):
    @get("/session/alive")  # needs a live session: without one, the usual redirect to the login page
    async def still_here(self) -> Response:
        return Response(content=b"", status_code=204)
