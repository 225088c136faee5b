"""The dev mailbox (demo mode only, DESIGN §7): what the portal would have emailed, to read in the browser."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.exceptions import NotFoundException

from app.tables import OutboxEmail
from app.web.rendering import render


class DevMailboxController(Controller):
    path = "/dev/mailbox"

    @get("/", opt={"public": True})
    async def mailbox(self, request: Request) -> Response:
        messages = await OutboxEmail.select(
            OutboxEmail.id, OutboxEmail.to_address, OutboxEmail.subject, OutboxEmail.created_at
        ).order_by(OutboxEmail.id, ascending=False).limit(100)
        return await render(request, "dev/mailbox.html", {"messages": messages})

    @get("/{message_id:int}", opt={"public": True})
    async def message(self, request: Request, message_id: FromPath[int]) -> Response:
        message = await OutboxEmail.select().where(OutboxEmail.id == message_id).first()
        if message is None:
            raise NotFoundException()
        return await render(request, "dev/message.html", {"message": message})
