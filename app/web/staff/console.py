"""Find a student or guardian, issue a key in person and print its slip, and look after accounts."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.exceptions import NotFoundException

from app.rules.errors import N_
from app.rules.key_requests import PHOTO_ID_TYPES
from app.i18n import available_languages
from app.letters import guardian_language
from app.services.key_letters import key_slip_words
from app.services.absence_reports import pending_reports
from app.services.corrections import open_corrections
from app.services.key_requests import pending_key_requests
from app.services.staff_guardian_help import change_guardian_account, issue_key_in_person
from app.services.staff_household_queue import pending_household_changes
from app.services.staff_scope import search_limited_to
from app.services.staff_search import find_people, guardian_for_staff, student_for_staff
from app.web.forms import read_form
from app.web.guards import current_account, requires_staff
from app.web.rendering import client_ip, district_preferences, redirect_after_post, render
from app.web.wizard_state import forget, remember, sealed, unsealed_value

SLIP = "key_slip"  # the session value holding the key until the slip is shown (sealed)

NOTICES = {
    "keys-revoked": N_("The guardian's unused activation keys were revoked."),
    "account-unlocked": N_("The account was unlocked. The guardian can log in now."),
    "account-disabled": N_("The account was disabled and signed out everywhere."),
    "account-enabled": N_("The account was enabled."),
    "no-account": N_("This guardian has no portal account yet."),
    "second-factor-reset": N_("The guardian's second step was removed and they were logged out everywhere. "
                              "They log in with their password only until they set up a new one."),
}


class StaffConsoleController(Controller):
    path = "/staff"
    guards = [requires_staff]

    @get("/")
    async def console(self, request: Request, q: FromQuery[str] = "") -> Response:
        staff = current_account(request)
        found = await find_people(staff, q[:200]) if q.strip() else None
        # Every queue of the office (the absence reports and correction requests were left out: a tester's find).
        absence_reports, more_absence_reports = await pending_reports(staff)
        return await render(request, "staff/console.html", {
            "q": q[:200], "found": found, "limited_to": await search_limited_to(staff),
            "key_requests": len(await pending_key_requests(staff)),
            "household_changes": len(await pending_household_changes(staff)),
            "absence_reports": len(absence_reports), "more_absence_reports": more_absence_reports,
            "corrections": len(await open_corrections(staff)),
        })

    @get("/students/{public_id:uuid}")
    async def student(self, request: Request, public_id: FromPath[UUID]) -> Response:
        profile = await student_for_staff(current_account(request), public_id, ip=client_ip(request))
        if profile is None:
            raise NotFoundException()
        return await render(request, "staff/student.html", profile)

    @get("/guardians/{public_id:uuid}")
    async def guardian(self, request: Request, public_id: FromPath[UUID], notice: FromQuery[str] = "") -> Response:
        return await self._guardian_page(request, public_id, notice=NOTICES.get(notice))

    async def _guardian_page(self, request: Request, public_id: UUID, *, notice: str | None = None,
                             errors: list | None = None, typed: dict | None = None) -> Response:
        profile = await guardian_for_staff(current_account(request), public_id, ip=client_ip(request))
        if profile is None:
            raise NotFoundException()
        return await render(request, "staff/guardian.html", {
            **profile, "notice": notice, "photo_id_types": PHOTO_ID_TYPES, "slip_languages": available_languages(),
            "typed": typed or {"photo_id_type": "", "id_checked": "",
                               "slip_language": guardian_language(None, profile["guardian"].language)}},
            errors=errors)

    @post("/guardians/{public_id:uuid}/key")
    async def issue_key(self, request: Request, public_id: FromPath[UUID]) -> Response:
        form = await read_form(request, "photo_id_type", "id_checked", "slip_language")
        result = await issue_key_in_person(current_account(request), public_id, form["photo_id_type"],
                                           form["id_checked"] == "yes", ip=client_ip(request))
        if result is None:
            raise NotFoundException()
        if result.errors:
            return await self._guardian_page(request, public_id, errors=result.errors, typed=form.values)
        issued = result.issued
        # The key waits in the server-side session, sealed (issue 9 item 4), only until the slip is shown, once.
        return await remember(request, redirect_after_post(request, f"/staff/guardians/{public_id}/slip"),
                              **sealed(SLIP, {"guardian": str(public_id), "key": issued.key,
                                              "name": issued.guardian_name,
                                              "expires_at": issued.expires_at.isoformat(),
                                              "language": form["slip_language"]}))

    @get("/guardians/{public_id:uuid}/slip")
    async def key_slip(self, request: Request, public_id: FromPath[UUID]) -> Response:
        slip = unsealed_value(request, SLIP)  # None too when sealed under a secret key that has since changed
        if not isinstance(slip, dict) or slip.get("guardian") != str(public_id):
            return await render(request, "staff/slip_gone.html", {"guardian_id": public_id}, status=410)
        await forget(request, SLIP)
        return await render(request, "staff/slip.html", {
            "slip": await key_slip_words(public_id, slip["name"], slip["key"],
                                         datetime.fromisoformat(slip["expires_at"]),
                                         await district_preferences(request), language=slip.get("language")),
            "guardian_id": public_id})

    @post("/guardians/{public_id:uuid}/account")
    async def change_account(self, request: Request, public_id: FromPath[UUID]) -> Response:
        form = await read_form(request, "action")
        done = await change_guardian_account(current_account(request), public_id, form["action"],
                                             ip=client_ip(request))
        if done is None:
            raise NotFoundException()
        return redirect_after_post(request, f"/staff/guardians/{public_id}?notice={done}")
