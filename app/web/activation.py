"""The activation wizard: "If you have been assigned a Campus Portal Activation Key, click here"
(docs/design.md §4.3). Step 1: the key. Step 2: username and password. Then the parent is signed in."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery

from app import i18n
from app.rules.errors import N_
from app.services.activation import KEY_PROBLEMS, check_activation_key, create_account_with_key, key_holder, password_policy
from app.web.forms import read_form
from app.web.guards import current_session
from app.web.rendering import client_ip, redirect_after_post, render, user_agent
from app.web.session_cookie import clear_session_cookies, set_session_cookie
from app.web.wizard_state import forget, remember_in_new_session, wizard_value

STEP_EXPIRED = N_("Step 2 could not go on: after 30 minutes without activity, or in another browser, the portal "
                  "no longer knows which key you entered. Nothing was saved. Enter your activation key again.")
KEY_GONE = N_("Your activation key can no longer be used (it was used, replaced or has expired). "
              "Enter your newest key, or request a new one.")


class ActivationController(Controller):
    path = "/activate"

    @get("/", opt={"public": True})
    async def key_step(self, request: Request, notice: FromQuery[str] = "") -> Response:
        return await render(request, "activation/key.html", {
            "activation_key": "", "notice": {"key-gone": KEY_GONE, "step-expired": STEP_EXPIRED,
                                             "key-refused": KEY_PROBLEMS["office"]}.get(notice)})

    @post("/", opt={"public": True})
    async def submit_key(self, request: Request) -> Response:
        form = await read_form(request, "activation_key")
        check = await check_activation_key(form["activation_key"], ip=client_ip(request)) if not form.errors else None
        errors = form.errors or check.errors
        if errors:
            return await render(request, "activation/key.html", {"activation_key": form["activation_key"]},
                                errors=errors)
        return await remember_in_new_session(request, redirect_after_post(request, "/activate/account"),
                                             activation_key_id=check.key_id)

    @get("/account", opt={"public": True})
    async def account_step(self, request: Request) -> Response:
        if wizard_value(request, "activation_key_id") is None:
            return redirect_after_post(request, "/activate?notice=step-expired")
        return await render(request, "activation/account.html", {
            "username": "", "policy": await password_policy(),
            "key_for": await key_holder(wizard_value(request, "activation_key_id"))})

    @post("/account", opt={"public": True})
    async def create_account(self, request: Request) -> Response:
        key_id = wizard_value(request, "activation_key_id")
        if key_id is None:  # the step expired (issue 13 item 4): say so, rather than a silent empty step 1
            return redirect_after_post(request, "/activate?notice=step-expired")
        form = await read_form(request, "username", "password", "verify_password")
        session = current_session(request)
        if form.errors:
            result_errors = form.errors
        else:
            result = await create_account_with_key(
                key_id, form["username"], form["password"], form["verify_password"], ip=client_ip(request),
                user_agent=user_agent(request), previous_session=session.id if session else None,
                language=i18n.current_language())
            if result.key_gone or result.key_refused:
                await forget(request, "activation_key_id")
                return redirect_after_post(request, "/activate?notice=" + ("key-gone" if result.key_gone
                                                                          else "key-refused"))
            if result.session_token:
                response = redirect_after_post(request, "/home?notice=welcome", whole_page=True)
                clear_session_cookies(response)
                return set_session_cookie(response, result.session_token)
            result_errors = result.errors
        return await render(request, "activation/account.html",
                            {"username": form["username"], "policy": await password_policy(),
                             "key_for": await key_holder(key_id)}, errors=result_errors)
