"""The account page (docs/design.md §4.10): change password, language, sign out everywhere, recent sign-ins."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery

from app.i18n import LANGUAGES
from app.rules.errors import N_
from app.services.account_settings import (
    change_language,
    change_password,
    current_sessions,
    recent_sign_ins,
    sign_out_everywhere,
)
from app.services.activation import password_policy
from app.services.second_factor import has_second_factor
from app.web.forms import read_form
from app.web.guards import current_account, current_session, requires_sign_in
from app.web.rendering import client_ip, redirect_after_post, render
from app.web.session_cookie import clear_session_cookies
from app.rules.numbers import whole_number

NOTICES = {
    "password-changed": N_("Your password was changed. Every other device where you were logged in has been "
                           "logged out."),
    "language-changed": N_("Your language was changed."),
    "alerts-saved": N_("Your email choices were saved."),
}


class AccountController(Controller):
    path = "/account"
    guards = [requires_sign_in]  # guardians and staff (issue 14)

    @get("/")
    async def account(self, request: Request, notice: FromQuery[str] = "", sessions_before: FromQuery[str] = "") -> Response:
        cursor = whole_number(sessions_before) if len(sessions_before) < 10 else None
        return await _account_page(request, NOTICES.get(notice), sessions_before=cursor)

    @post("/language")
    async def change_language(self, request: Request) -> Response:
        form = await read_form(request, "language")
        result = await change_language(current_account(request), form["language"], ip=client_ip(request))
        if result.errors:
            return await _account_page(request, None, errors=result.errors)
        # The whole frame (navigation, footer) changes language, so htmx reloads the page.
        return redirect_after_post(request, "/account?notice=language-changed", whole_page=True)

    @get("/password")
    async def password_form(self, request: Request) -> Response:
        return await render(request, "account/password.html", {"policy": await password_policy()})

    @post("/password")
    async def change_password(self, request: Request) -> Response:
        form = await read_form(request, "current_password", "password", "verify_password")
        result = None if form.errors else await change_password(
            current_account(request), current_session(request).id, form["current_password"], form["password"],
            form["verify_password"], ip=client_ip(request))
        if result and not result.errors:
            return redirect_after_post(request, "/account?notice=password-changed")
        return await render(request, "account/password.html", {"policy": await password_policy()},
                            errors=form.errors or result.errors)

    @post("/sign-out-everywhere")
    async def sign_out_everywhere(self, request: Request) -> Response:
        await sign_out_everywhere(current_account(request), ip=client_ip(request))
        response = redirect_after_post(request, "/?notice=signed-out-everywhere", whole_page=True)
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
        return clear_session_cookies(response)


async def _account_page(request: Request, notice: str | None, errors=None, alert_typed=None,
                        sessions_before: int | None = None) -> Response:
    from app.web.alerts import alert_section

    account = current_account(request)
    return await render(request, "account/index.html", {
        **await alert_section(account, alert_typed),
        "notice": notice,
        "languages": LANGUAGES,
        "sign_ins": await recent_sign_ins(account),
        "sessions": await current_sessions(account, current_session(request).id, before=sessions_before),
        "second_factor": await has_second_factor(account.id),
    }, errors=errors)
