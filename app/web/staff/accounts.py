"""Staff accounts in the console (issue 14): district admins list, create, disable, re-enable and reset them.
A new or reset account's temporary password waits in the admin's session and is shown once.
Also: resetting a parent's second factor after a photo-ID check (any staff, in their scope)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from app.rules.errors import N_
from app.services.staff_accounts import (change_staff_account, create_from_console, list_staff,
                                         reset_guardian_second_factor, schools, staff_detail)
from app.web.forms import read_form
from app.web.guards import current_account, requires_district_admin, requires_staff
from app.web.rendering import client_ip, redirect_after_post, render
from app.web.staff.console import StaffConsoleController
from app.web.wizard_state import forget, remember, sealed, unsealed_value

NOTICES = {
    "created": N_("The account was created. Give its username and temporary password to the person in person; "
                  "they set up an authenticator app at their first log in and then choose their own password."),
    "disabled": N_("The account was disabled and logged out everywhere."),
    "enabled": N_("The account was enabled."),
    "already-disabled": N_("The account was already disabled: nothing changed."),
    "already-enabled": N_("The account was already enabled: nothing changed."),
    "reset": N_("The account was reset: it was logged out everywhere and its second step removed. Give the new "
                "temporary password to the person in person."),
}
TEMPORARY = "staff_temporary_password"
EMPTY_NEW = {"username": "", "role": "school-staff", "school": "", "email": ""}


class StaffAccountsController(Controller):
    path = "/staff/accounts"
    guards = [requires_district_admin]

    @get("/")
    async def accounts(self, request: Request) -> Response:
        return await render(request, "staff/accounts.html", {"staff": await list_staff()})

    @get("/new")
    async def new_account(self, request: Request) -> Response:
        return await self._new_page(request, dict(EMPTY_NEW))

    async def _new_page(self, request: Request, typed: dict, errors: list | None = None) -> Response:
        return await render(request, "staff/account_new.html", {"typed": typed, "schools": await schools()},
                            errors=errors)

    @post("/new")
    async def create(self, request: Request) -> Response:
        form = await read_form(request, "username", "role", "school", "email")
        created = None if form.errors else await create_from_console(current_account(request), form.values,
                                                                     ip=client_ip(request))
        if created is None or created.errors:
            return await self._new_page(request, form.values, form.errors or created.errors)
        return await remember(request, redirect_after_post(request, f"/staff/accounts/{created.account_id}"
                                                                    "?notice=created"),
                              **sealed(TEMPORARY, {"account": created.account_id,
                                                   "password": created.temporary_password}))

    @get("/{account_id:int}")
    async def account(self, request: Request, account_id: FromPath[int], notice: FromQuery[str] = "") -> Response:
        return await self._account_page(request, account_id, notice=NOTICES.get(notice))

    async def _account_page(self, request: Request, account_id: int, *, notice: str | None = None,
                            errors: list | None = None) -> Response:
        detail = await staff_detail(account_id)
        if detail is None:
            raise NotFoundException()
        temporary = unsealed_value(request, TEMPORARY)
        password = temporary["password"] if isinstance(temporary, dict) and temporary.get(
            "account") == account_id else None
        if password:
            await forget(request, TEMPORARY)  # shown once
        return await render(request, "staff/staff_account.html", {
            "staff_account": detail, "notice": notice, "temporary_password": password,
            "is_me": current_account(request).id == account_id}, errors=errors)

    @post("/{account_id:int}")
    async def change(self, request: Request, account_id: FromPath[int]) -> Response:
        form = await read_form(request, "action")
        result = await change_staff_account(account_id, form["action"], actor=current_account(request),
                                            ip=client_ip(request))
        if result is None:
            raise NotFoundException()
        if result.errors:
            return await self._account_page(request, account_id, errors=result.errors)
        response = redirect_after_post(request, f"/staff/accounts/{account_id}?notice={result.done}")
        if result.temporary_password:
            return await remember(request, response, **sealed(TEMPORARY, {"account": account_id,
                                                                         "password": result.temporary_password}))
        return response


class GuardianSecondFactorController(Controller):
    path = "/staff/guardians"
    guards = [requires_staff]

    @post("/{public_id:uuid}/second-factor")
    async def reset(self, request: Request, public_id: FromPath[UUID]) -> Response:
        form = await read_form(request, "reset_photo_id_type", "reset_id_checked")
        errors = await reset_guardian_second_factor(current_account(request), public_id,
                                                    form["reset_photo_id_type"], form["reset_id_checked"] == "yes",
                                                    ip=client_ip(request))
        if errors is None:
            raise NotFoundException()
        if errors:
            return await StaffConsoleController._guardian_page(None, request, public_id, errors=errors,  # noqa: SLF001
                                                               typed={"photo_id_type": "", "id_checked": "",
                                                                      **form.values})
        return redirect_after_post(request, f"/staff/guardians/{public_id}?notice=second-factor-reset")
