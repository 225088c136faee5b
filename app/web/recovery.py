"""Forgot Your Password? (docs/design.md §4.5) and Forgot Your Username? (§4.6)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery

from app import clock
from app.rules.district_day import next_district_midnight
from app.rules.errors import N_, FieldError
from app.services.activation import password_policy
from app.services.recovery import (find_reset_token, request_password_reset, request_username_reminder, reset_password,
                                   reset_username)
from app.web.forms import read_form
from app.web.rendering import client_ip, district_preferences, redirect_after_post, render
from app.web.wizard_state import forget, remember_in_new_session, wizard_value
from app.rules.numbers import whole_number


class RecoveryController(Controller):
    @get("/forgot-password", opt={"public": True})
    async def forgot_password(self, request: Request) -> Response:
        return await render(request, "recovery/forgot_password.html", {"identifier": ""})

    @post("/forgot-password", opt={"public": True})
    async def send_reset_link(self, request: Request) -> Response:
        form = await read_form(request, "identifier")
        errors = form.errors
        if not errors and not form["identifier"].strip():
            errors = [FieldError("identifier", N_("Enter your username or your email address"))]
        if errors:
            return await render(request, "recovery/forgot_password.html", {"identifier": form["identifier"]},
                                errors=errors)
        await request_password_reset(form["identifier"], ip=client_ip(request))
        return redirect_after_post(request, "/forgot-password/sent")

    @get("/forgot-password/sent", opt={"public": True})
    async def reset_link_sent(self, request: Request) -> Response:
        return await render(request, "recovery/reset_link_sent.html")

    @get("/reset/{token:str}", opt={"public": True})
    async def open_reset_link(self, request: Request, token: FromPath[str]) -> Response:
        # The token leaves the URL at once (docs/security.md E7): it is kept in a new session instead. A link
        # that leads nowhere writes no session (and drops one an older link left).
        token_id = await find_reset_token(token)
        response = redirect_after_post(request, "/reset")
        if token_id is None:
            await forget(request, "reset_token_id")
            return response
        return await remember_in_new_session(request, response, reset_token_id=token_id)

    @get("/reset", opt={"public": True})
    async def new_password(self, request: Request) -> Response:
        token_id = wizard_value(request, "reset_token_id")
        if token_id is None:
            return await render(request, "recovery/reset_link_gone.html", status=410)
        return await render(request, "recovery/new_password.html", {"policy": await password_policy(),
                                                                      "username": await reset_username(token_id)})

    @post("/reset", opt={"public": True})
    async def save_new_password(self, request: Request) -> Response:
        token_id = wizard_value(request, "reset_token_id")
        if token_id is None:
            return await render(request, "recovery/reset_link_gone.html", status=410)
        form = await read_form(request, "password", "verify_password")
        result = None if form.errors else await reset_password(
            token_id, form["password"], form["verify_password"], ip=client_ip(request))
        if result and result.done:
            await forget(request, "reset_token_id")
            return redirect_after_post(request, "/?notice=password-changed", whole_page=True)
        if result and result.link_gone:
            await forget(request, "reset_token_id")
            return await render(request, "recovery/reset_link_gone.html", status=410)
        return await render(request, "recovery/new_password.html", {"policy": await password_policy(),
                                                                      "username": await reset_username(token_id)},
                            errors=form.errors or result.errors)

    @get("/forgot-username", opt={"public": True})
    async def forgot_username(self, request: Request) -> Response:
        return await render(request, "recovery/forgot_username.html", {"email": ""})

    @post("/forgot-username", opt={"public": True})
    async def send_username(self, request: Request) -> Response:
        form = await read_form(request, "email")
        result = None if form.errors else await request_username_reminder(form["email"], ip=client_ip(request))
        if form.errors or result.errors:
            return await render(request, "recovery/forgot_username.html", {"email": form["email"]},
                                errors=form.errors or result.errors)
        if result.over_limit:
            return redirect_after_post(request, "/forgot-username/limit")
        # How many are left is shown on the next page (issue 13 item 2). The number is the address's count
        # whether or not it is on file, so it tells nothing about which addresses are.
        return redirect_after_post(request, f"/forgot-username/sent?left={result.requests_left}")

    @get("/forgot-username/sent", opt={"public": True})
    async def username_sent(self, request: Request, left: FromQuery[str] = "") -> Response:
        prefs = await district_preferences(request)
        requests_left = whole_number(left) if len(left) < 4 else None
        if requests_left is not None:
            requests_left = min(requests_left, prefs.username_reminders_per_day)
        return await render(request, "recovery/username_sent.html", {
            "requests_left": requests_left,
            "until": next_district_midnight(clock.now(), prefs.time_zone),
            "locks_accounts": prefs.username_lock_scope == "account",
        })

    @get("/forgot-username/limit", opt={"public": True})
    async def username_limit(self, request: Request) -> Response:
        prefs = await district_preferences(request)
        return await render(request, "recovery/username_limit.html", {
            "until": next_district_midnight(clock.now(), prefs.time_zone),
            "locks_accounts": prefs.username_lock_scope == "account",
        })
