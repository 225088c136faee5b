"""Portal access per guardian–student link in the console (issue 11): school staff of the student's school
and district admins switch it off (with a reason, an optional reference and dates) or back on."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from app.rules.access import REASONS
from app.rules.errors import N_
from app.services.access import block_for_staff, link_access_for_staff, unblock_for_staff
from app.web.forms import read_form
from app.web.guards import current_account, requires_staff
from app.web.rendering import client_ip, redirect_after_post, render
from app.web.wizard_state import forget, remember, wizard_value

NOTICES = {
    "blocked": N_("Portal access for this guardian and student is switched off. Their next page no longer "
                  "shows the student."),
    "changed": N_("The restriction was changed."),
    "unchanged": N_("Nothing changed: the restriction already says that."),
    "unblocked": N_("Portal access for this guardian and student is switched back on."),
    "nothing-to-lift": N_("There was no restriction to lift."),
}
STILL_RESTRICTED = N_("Another restriction is still open on this link, so access may still be off: see the list "
                      "below.")
FIELDS = ("reason", "reference", "starts_on", "ends_on")
REVOKED = "access_revoked"  # the session's note of whose keys a block revoked (app/services/key_reach.py)


def _path(student: UUID, guardian: UUID) -> str:
    return f"/staff/students/{student}/access/{guardian}"


class StaffAccessController(Controller):
    path = "/staff/students/{student_id:uuid}/access/{guardian_id:uuid}"
    guards = [requires_staff]

    @get("/")
    async def link(self, request: Request, student_id: FromPath[UUID], guardian_id: FromPath[UUID],
                   notice: FromQuery[str] = "", still: FromQuery[str] = "") -> Response:
        # Whose keys and reset links the block just revoked, kept in the session for the page after it, once.
        revoked = wizard_value(request, REVOKED)
        if revoked is not None:
            await forget(request, REVOKED)
        shown = revoked if (isinstance(revoked, dict) and revoked.get("path") == _path(student_id, guardian_id)
                            and notice in ("blocked", "changed")) else None
        return await self._page(request, student_id, guardian_id, notice=NOTICES.get(notice),
                                also=STILL_RESTRICTED if still == "yes" else None, revoked=shown)

    async def _page(self, request: Request, student_id: UUID, guardian_id: UUID, *, notice: str | None = None,
                    also: str | None = None, errors: list | None = None, typed: dict | None = None,
                    revoked: dict | None = None) -> Response:
        link = await link_access_for_staff(current_account(request), student_id, guardian_id)
        if link is None:
            raise NotFoundException()
        return await render(request, "staff/access.html", {
            "link": link, "notice": notice, "also": also, "reasons": REASONS, "revoked": revoked,
            "action": _path(student_id, guardian_id),
            "typed": typed or {name: "" for name in FIELDS}}, errors=errors)

    @post("/block")
    async def block(self, request: Request, student_id: FromPath[UUID], guardian_id: FromPath[UUID]) -> Response:
        form = await read_form(request, *FIELDS)
        change = None if form.errors else await block_for_staff(
            current_account(request), student_id, guardian_id, form["reason"], form["reference"], form["starts_on"],
            form["ends_on"], ip=client_ip(request))
        if change is None and not form.errors:
            raise NotFoundException()
        errors = form.errors or change.errors
        if errors:
            return await self._page(request, student_id, guardian_id, errors=errors, typed=form.values)
        done = redirect_after_post(request, f"{_path(student_id, guardian_id)}?notice={change.done}")
        if not change.revoked:
            return done
        return await remember(request, done, **{REVOKED: {
            "path": _path(student_id, guardian_id),
            "keys": [r.name for r in change.revoked if r.keys], "links": [r.name for r in change.revoked if r.links]}})

    @post("/unblock")
    async def unblock(self, request: Request, student_id: FromPath[UUID], guardian_id: FromPath[UUID]) -> Response:
        change = await unblock_for_staff(current_account(request), student_id, guardian_id, ip=client_ip(request))
        if change is None:
            raise NotFoundException()
        still = "&still=yes" if change.still_restricted else ""
        return redirect_after_post(request, f"{_path(student_id, guardian_id)}?notice={change.done}{still}")
