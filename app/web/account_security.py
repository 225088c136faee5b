"""The account's second factor (issue 14): set up or replace an authenticator app, new recovery codes,
remove it (where the district allows), forget trusted browsers. Every change asks for the current
password and tells the account's address."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery

from app import clock
from app.rules.errors import N_
from app.rules.second_factor import second_factor_required
from app.services.credentials import check_current_password
from app.services.second_factor import (ENROLMENT_FOR, code_error, confirm_enrolment, enrolment_for,
                                        forget_trusted_browsers, has_second_factor, new_recovery_codes_for,
                                        recovery_codes_left, remove_second_factor)
from app.services import audit
from app.web.forms import read_form
from app.web.guards import current_account, requires_sign_in
from app.web.rendering import client_ip, district_preferences, redirect_after_post, render, user_agent
from app.web.second_step import RECOVERY_CODES, qr_label
from app.web.wizard_state import forget, remember, sealed, unsealed_value, wizard_value

ENROLLING = "enrolling_since"
NOTICES = {
    "removed": N_("Your authenticator app was removed. Logging in needs only your password now."),
    "browsers-forgotten": N_("Every browser will ask for a code again at the next log in."),
}


class AccountSecurityController(Controller):
    path = "/account"
    guards = [requires_sign_in]

    @get("/second-factor")
    async def overview(self, request: Request, notice: FromQuery[str] = "") -> Response:
        return await self._overview(request, notice=NOTICES.get(notice))

    async def _overview(self, request: Request, *, notice: str | None = None, errors: list | None = None) -> Response:
        account = current_account(request)
        prefs = await district_preferences(request)
        return await render(request, "account/second_factor.html", {
            "notice": notice,
            "enabled": await has_second_factor(account.id),
            "required": second_factor_required(account.role, prefs),
            "codes_left": await recovery_codes_left(account.id),
        }, errors=errors)

    @post("/second-factor")
    async def change(self, request: Request) -> Response:
        """One form, one Current Password field: set up (or replace) the app, new recovery codes, or remove."""
        account = current_account(request)
        form = await read_form(request, "action", "current_password")
        ip = client_ip(request)
        if form["action"] == "recovery-codes":
            change = await new_recovery_codes_for(account.id, form["current_password"], ip=ip)
            if change.errors:
                return await self._overview(request, errors=change.errors)
            return await remember(request, redirect_after_post(request, "/account/recovery-codes"),
                                  **sealed(RECOVERY_CODES, change.recovery_codes))
        if form["action"] == "remove":
            change = await remove_second_factor(account.id, account.role, form["current_password"], ip=ip)
            if change.errors:
                return await self._overview(request, errors=change.errors)
            return redirect_after_post(request, "/account/second-factor?notice=removed")
        problem = await check_current_password(account.id, form["current_password"], ip=ip)
        if problem:
            return await self._overview(request, errors=[problem])
        return await remember(request, redirect_after_post(request, "/account/second-factor/enrol"),
                              **{ENROLLING: clock.now().isoformat()})

    def _enrolling(self, request: Request) -> bool:
        since = wizard_value(request, ENROLLING)
        return isinstance(since, str) and datetime.fromisoformat(since) + ENROLMENT_FOR > clock.now()

    @get("/second-factor/enrol")
    async def enrol_page(self, request: Request) -> Response:
        if not self._enrolling(request):
            return redirect_after_post(request, "/account/second-factor")
        return await self._enrol(request)

    async def _enrol(self, request: Request, errors: list | None = None) -> Response:
        account = current_account(request)
        enrolment = await enrolment_for(account.id, account.username, qr_label())
        return await render(request, "auth/enrol.html", {"enrolment": enrolment,
                                                         "action": "/account/second-factor/enrol",
                                                         "required": False}, errors=errors)

    @post("/second-factor/enrol")
    async def confirm(self, request: Request) -> Response:
        if not self._enrolling(request):
            return redirect_after_post(request, "/account/second-factor")
        form = await read_form(request, "code")
        result = await confirm_enrolment(current_account(request).id, "" if form.errors else form["code"],
                                         ip=client_ip(request), user_agent=user_agent(request))
        if result.check is not None:
            prefs = await district_preferences(request)
            return await self._enrol(request, [code_error(result.check, prefs.time_zone)])
        await forget(request, ENROLLING)
        return await remember(request, redirect_after_post(request, "/account/recovery-codes"),
                              **sealed(RECOVERY_CODES, result.recovery_codes))

    @get("/recovery-codes")
    async def recovery_codes(self, request: Request) -> Response:
        """Shown once: the codes leave the session as the page is drawn."""
        codes = unsealed_value(request, RECOVERY_CODES)
        if not codes:
            return redirect_after_post(request, "/account/second-factor")
        await forget(request, RECOVERY_CODES)
        return await render(request, "account/recovery_codes.html", {"codes": codes})

    @post("/second-factor/forget-browsers")
    async def forget_browsers(self, request: Request) -> Response:
        account = current_account(request)
        await forget_trusted_browsers(account.id)
        await audit.record("second-factor.browsers-forgotten", account=account.id, actor=account.id,
                           ip=client_ip(request))
        return redirect_after_post(request, "/account/second-factor?notice=browsers-forgotten")
