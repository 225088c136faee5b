"""The school's queue of parents' correction requests (issue 11 item 3): each with the record attached as the
parent saw it; staff answer "corrected in the SIS" or "not changed" with a reason, and the parent is emailed."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from app.rules.errors import N_
from app.services.corrections import KINDS, OUTCOMES, answer_correction, correction_for_staff, open_corrections
from app.web.forms import read_form
from app.web.guards import current_account, requires_staff
from app.web.rendering import client_ip, redirect_after_post, render

NOTICES = {
    "emailed": N_("Answered. The parent was emailed your answer."),
    "not-emailed": N_("Answered. No email was sent: the parent has no email address on file, their account is "
                      "off, or they may no longer see this student."),
}


class StaffCorrectionsController(Controller):
    path = "/staff/corrections"
    guards = [requires_staff]

    @get("/")
    async def queue(self, request: Request, notice: FromQuery[str] = "") -> Response:
        return await render(request, "staff/corrections.html", {
            "requests": await open_corrections(current_account(request)), "kinds": KINDS,
            "notice": NOTICES.get(notice)})

    @get("/{public_id:uuid}")
    async def one(self, request: Request, public_id: FromPath[UUID]) -> Response:
        return await self._page(request, public_id)

    async def _page(self, request: Request, public_id: UUID, *, errors: list | None = None,
                    typed: dict | None = None) -> Response:
        found = await correction_for_staff(current_account(request), public_id)
        if found is None:
            raise NotFoundException()
        return await render(request, "staff/correction.html", {
            "cr": found, "kinds": KINDS, "outcomes": OUTCOMES,
            "typed": typed or {"outcome": "", "reason": ""}}, errors=errors)

    @post("/{public_id:uuid}/answer")
    async def answer(self, request: Request, public_id: FromPath[UUID]) -> Response:
        form = await read_form(request, "outcome", "reason")
        result = await answer_correction(current_account(request), public_id, form["outcome"], form["reason"],
                                         ip=client_ip(request))
        if result is None:
            raise NotFoundException()
        if not result.done:
            return await self._page(request, public_id, errors=form.errors + result.errors, typed=form.values)
        return redirect_after_post(request, f"/staff/corrections?notice={'emailed' if result.emailed else 'not-emailed'}")
