"""A parent asks the school to correct a record (issue 11 item 3): a plain form (a list of the page's records
and what is wrong), which works without JavaScript and is swapped in by htmx when it is there."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from app import i18n
from app.services.corrections import KINDS, correction_form, household_correction_form, request_correction
from app.web.forms import read_form
from app.web.guards import requires_guardian
from app.web.records import reader_of
from app.web.rendering import redirect_after_post, render

BACK = {"attendance": "attendance", "score": "grades", "term-grade": "grades"}


class CorrectionsController(Controller):
    guards = [requires_guardian]

    async def _form(self, request: Request, student_id: str | None, kind: str):
        reader = await reader_of(request)
        form = await (household_correction_form(reader) if student_id is None
                      else correction_form(reader, student_id, kind))
        if form is None:
            raise NotFoundException()
        return reader, form

    async def _page(self, request: Request, form, action: str, back: str, *, typed: dict | None = None,
                    errors: list | None = None) -> Response:
        return await render(request, "corrections/form.html", {
            "form": form, "action": action, "back": back, "kind_label": KINDS[form.kind],
            "typed": typed or {"record": request.query_params.get("record", "")[:12], "message": ""}},
            errors=errors)

    @get("/students/{student_id:str}/corrections/{kind:str}")
    async def student_form(self, request: Request, student_id: FromPath[str], kind: FromPath[str]) -> Response:
        _, form = await self._form(request, student_id, kind)
        return await self._page(request, form, request.url.path, f"/students/{student_id}/{BACK[kind]}")

    @post("/students/{student_id:str}/corrections/{kind:str}")
    async def student_send(self, request: Request, student_id: FromPath[str], kind: FromPath[str]) -> Response:
        reader, form = await self._form(request, student_id, kind)
        return await self._send(request, reader, form, f"/students/{student_id}/{BACK[kind]}")

    @get("/household/corrections")
    async def household_form(self, request: Request) -> Response:
        _, form = await self._form(request, None, "household")
        return await self._page(request, form, "/household/corrections", "/household")

    @post("/household/corrections")
    async def household_send(self, request: Request) -> Response:
        reader, form = await self._form(request, None, "household")
        return await self._send(request, reader, form, "/household")

    async def _send(self, request: Request, reader, form, back: str) -> Response:
        typed = await read_form(request, "record", "message")
        sent = await request_correction(reader, form, typed["record"], typed["message"],
                                        language=i18n.current_language()) if not typed.errors else None
        errors = typed.errors or sent.errors
        if errors:
            return await self._page(request, form, request.url.path, back, typed=typed.values, errors=errors)
        return redirect_after_post(request, "/corrections/sent")

    @get("/corrections/sent")
    async def sent(self, request: Request) -> Response:
        return await render(request, "corrections/sent.html", {})
