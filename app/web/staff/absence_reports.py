"""The attendance office's queue of absence reports (issue 12 item 5): school staff see their school's,
district admins every school's; a report is marked recorded in the SIS or declined with a reason."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from app.rules.alerts import REASON_NAMES
from app.rules.errors import N_
from app.services.absence_reports import QUEUE_SHOWN, decide_report, pending_reports, report_for_staff
from app.web.forms import read_form
from app.web.guards import current_account, requires_staff
from app.web.rendering import client_ip, redirect_after_post, render

NOTICES = {
    "recorded": N_("Marked recorded. The guardian was emailed."),
    "declined": N_("Declined. The guardian was emailed the reason."),
}


class AbsenceReportsQueueController(Controller):
    path = "/staff/absence-reports"
    guards = [requires_staff]

    @get("/")
    async def queue(self, request: Request, notice: FromQuery[str] = "") -> Response:
        reports, more = await pending_reports(current_account(request))
        return await render(request, "staff/absence_reports.html", {
            "reports": reports, "more_waiting": more, "shown": QUEUE_SHOWN, "reason_names": REASON_NAMES,
            "notice": NOTICES.get(notice)})

    @get("/{public_id:uuid}")
    async def report(self, request: Request, public_id: FromPath[UUID]) -> Response:
        return await self._page(request, public_id)

    async def _page(self, request: Request, public_id: UUID, *, errors=None, reason: str = "") -> Response:
        found = await report_for_staff(current_account(request), public_id)
        if found is None:
            raise NotFoundException()
        return await render(request, "staff/absence_report.html", {
            "report": found, "reason_names": REASON_NAMES, "reason": reason}, errors=errors)

    @post("/{public_id:uuid}/{decision:str}")
    async def decide(self, request: Request, public_id: FromPath[UUID], decision: FromPath[str]) -> Response:
        if decision not in ("record", "decline"):
            raise NotFoundException()
        form = await read_form(request, "reason")
        result = await decide_report(current_account(request), public_id, decision == "record", form["reason"],
                                     ip=client_ip(request))
        if result is None:
            raise NotFoundException()
        if not result.done:
            return await self._page(request, public_id, errors=form.errors + result.errors, reason=form["reason"])
        return redirect_after_post(request, "/staff/absence-reports?notice=" + (
            "recorded" if decision == "record" else "declined"))
