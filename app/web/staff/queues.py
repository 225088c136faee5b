"""The key request queue and the household change queue (docs/design.md §5)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.exceptions import NotFoundException

from app.rules.errors import N_
from app.rules.phones import PHONE_KINDS
from app.services.key_requests import (PORTAL_REASONS, approve_key_request, deny_key_request, key_request_for_staff,
                                       pending_key_requests)
from app.services.staff_household_queue import decide_household_change, household_change_for_staff, pending_household_changes
from app.web.forms import read_form
from app.web.guards import current_account, requires_staff
from app.web.rendering import client_ip, redirect_after_post, render

NOTICES = {
    "approved": N_("Approved. The activation key was emailed to the guardian's address on file."),
    "denied": N_("Denied. The requester was sent a neutral email."),
    "change-approved": N_("Approved. The household's new address is saved in the portal; the SIS keeps the old "
                          "one until a district administrator sends it the approved changes."),
    "change-denied": N_("Denied. The household's address is unchanged."),
}


class QueuesController(Controller):
    path = "/staff"
    guards = [requires_staff]

    @get("/key-requests")
    async def key_requests(self, request: Request, notice: FromQuery[str] = "") -> Response:
        return await render(request, "staff/key_requests.html", {
            "requests": await pending_key_requests(current_account(request)), "notice": NOTICES.get(notice)})

    @get("/key-requests/{public_id:uuid}")
    async def key_request(self, request: Request, public_id: FromPath[UUID]) -> Response:
        return await self._key_request_page(request, public_id)

    async def _key_request_page(self, request: Request, public_id: UUID, *, errors: list | None = None,
                                typed: dict | None = None) -> Response:
        found = await key_request_for_staff(current_account(request), public_id)
        if found is None:
            raise NotFoundException()
        return await render(request, "staff/key_request.html", {
            "kr": found, "phone_kinds": PHONE_KINDS, "portal_reasons": PORTAL_REASONS, "typed": typed or {"guardian": str(found["guardians"][0]["public_id"])
                                            if len(found["guardians"]) == 1 else "", "reason": ""}},
            errors=errors)

    @post("/key-requests/{public_id:uuid}/approve")
    async def approve(self, request: Request, public_id: FromPath[UUID]) -> Response:
        form = await read_form(request, "guardian")
        decision = await approve_key_request(current_account(request), public_id, form["guardian"],
                                             ip=client_ip(request))
        if decision is None:
            raise NotFoundException()
        if not decision.done:
            return await self._key_request_page(request, public_id, errors=decision.errors,
                                                typed={"guardian": form["guardian"], "reason": ""})
        return redirect_after_post(request, "/staff/key-requests?notice=approved")

    @post("/key-requests/{public_id:uuid}/deny")
    async def deny(self, request: Request, public_id: FromPath[UUID]) -> Response:
        form = await read_form(request, "reason")
        decision = await deny_key_request(current_account(request), public_id, form["reason"],
                                          ip=client_ip(request))
        if decision is None:
            raise NotFoundException()
        if not decision.done:
            return await self._key_request_page(request, public_id, errors=form.errors + decision.errors,
                                                typed={"guardian": "", "reason": form["reason"]})
        return redirect_after_post(request, "/staff/key-requests?notice=denied")

    @get("/household-changes")
    async def household_changes(self, request: Request, notice: FromQuery[str] = "") -> Response:
        return await render(request, "staff/household_changes.html", {
            "changes": await pending_household_changes(current_account(request)), "notice": NOTICES.get(notice)})

    @get("/household-changes/{change_id:int}")
    async def household_change(self, request: Request, change_id: FromPath[int]) -> Response:
        return await self._household_change_page(request, change_id)

    async def _household_change_page(self, request: Request, change_id: int, *, errors: list | None = None,
                                     reason: str = "") -> Response:
        change = await household_change_for_staff(current_account(request), change_id)
        if change is None:
            raise NotFoundException()
        return await render(request, "staff/household_change.html", {"change": change, "reason": reason},
                            errors=errors)

    @post("/household-changes/{change_id:int}/{decision:str}")
    async def decide_household_change(self, request: Request, change_id: FromPath[int],
                                      decision: FromPath[str]) -> Response:
        if decision not in ("approve", "deny"):
            raise NotFoundException()
        form = await read_form(request, "reason")
        result = await decide_household_change(current_account(request), change_id, decision == "approve",
                                               form["reason"], ip=client_ip(request))
        if result is None:
            raise NotFoundException()
        if not result.done:
            return await self._household_change_page(request, change_id, errors=form.errors + result.errors,
                                                     reason=form["reason"])
        outcome = "approved" if decision == "approve" else "denied"  # "deny" + "d" was "change-denyd": no notice shown
        return redirect_after_post(request, f"/staff/household-changes?notice=change-{outcome}")
