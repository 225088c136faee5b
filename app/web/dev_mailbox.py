"""The dev mailbox (demo mode only, docs/design.md §7): what the portal would have emailed, to read in the browser."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from app.services import dev_mailbox
from app.web.rendering import render


class DevMailboxController(Controller):
    path = "/dev/mailbox"

    @get("/", opt={"public": True})
    async def mailbox(self, request: Request) -> Response:
        return await render(request, "dev/mailbox.html", {"messages": await dev_mailbox.recent_messages()})

    @get("/{message_id:int}", opt={"public": True})
    async def message(self, request: Request, message_id: FromPath[int]) -> Response:
        message = await dev_mailbox.message(message_id)
        if message is None:
            raise NotFoundException()
        return await render(request, "dev/message.html", {"message": message})
