"""The second step of signing in (issue 14): a code from the authenticator app or a recovery code, or, for
an account whose role requires a second factor and has none yet, setting one up first. Plain forms: it works
with JavaScript off. The account whose password was right waits in the server-side session for 10 minutes;
passing the step starts a new session (the waiting one ends)."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, Request, Response, get, post

from app import clock
from app.rules.errors import N_
from app.rules.second_factor import TRUSTED_FOR
from app.services.second_factor import (HOW_TOTP, PENDING_FOR, code_error, confirm_enrolment, enrolment_for,
                                        finish_sign_in, trust_browser, verify_second_step)
from app.services.sign_in import SignInResult
from app.web.auth import home_for
from app.web.forms import read_form
from app.web.guards import current_session
from app.web.rendering import client_ip, district_preferences, redirect_after_post, render, user_agent
from app.web.session_cookie import clear_session_cookies, set_session_cookie, set_trusted_cookie
from app.web.wizard_state import sealed, wizard_value

PENDING = "second_step"
RECOVERY_CODES = "recovery_codes"  # shown once on /account/recovery-codes


def pending_second_step(result: SignInResult, username: str, next_path: str = "") -> dict:
    """What the session keeps between the password and the code (never the password): whose sign-in waits,
    and where it goes after (the return-to page, the account's language for the language question)."""
    return {PENDING: {"account": result.account_id, "role": result.role, "kind": result.second_step,
                      "username": username.strip()[:30], "at": clock.now().isoformat(),
                      "next": next_path, "language": result.language}}


def destination(request: Request, waiting: dict) -> str:
    """As the login page sends a sign-in without a second step: the language question if this device asked
    for another language, then the return-to page or the account's home."""
    from app.web.language import after_sign_in

    return after_sign_in(request, waiting.get("language"), waiting.get("next") or home_for(waiting["role"]))


def _pending(request: Request, kind: str) -> dict | None:
    value = wizard_value(request, PENDING)
    if not isinstance(value, dict) or value.get("kind") != kind:
        return None
    if datetime.fromisoformat(value["at"]) + PENDING_FOR <= clock.now():
        return None
    return value


def qr_label() -> str:
    from app import i18n

    return i18n.translate(N_("QR code for your authenticator app"), {})


async def signed_in_response(request: Request, waiting: dict, response: Response, *, how: str,
                             data: dict | None = None, trust: bool = False) -> Response:
    """Start the account's new session (the waiting one ends) and put its cookies on `response`."""
    session = current_session(request)
    token = await finish_sign_in(waiting["account"], how=how, ip=client_ip(request), user_agent=user_agent(request),
                                 previous_session=session.id if session else None, data=data)
    clear_session_cookies(response)
    set_session_cookie(response, token)
    if trust:
        set_trusted_cookie(response, await trust_browser(waiting["account"], user_agent(request)),
                           int(TRUSTED_FOR.total_seconds()))
    return response


async def _signed_in(request: Request, waiting: dict, *, how: str, data: dict | None = None,
                     trust: bool = False, to: str | None = None) -> Response:
    return await signed_in_response(request, waiting, redirect_after_post(request, to or destination(request, waiting),
                                                                          whole_page=True),
                                    how=how, data=data, trust=trust)


class SecondStepController(Controller):
    path = "/sign-in"

    @get("/code", opt={"public": True})
    async def code_page(self, request: Request) -> Response:
        waiting = _pending(request, "code")
        if waiting is None:
            return redirect_after_post(request, "/?notice=code-step-expired")
        return await render(request, "auth/second_step.html", {"waiting": waiting, "trust": ""})

    @post("/code", opt={"public": True})
    async def check_code(self, request: Request) -> Response:
        waiting = _pending(request, "code")
        if waiting is None:
            return redirect_after_post(request, "/?notice=code-step-expired", whole_page=True)
        form = await read_form(request, "code", "trust")
        check = await verify_second_step(waiting["account"], "" if form.errors else form["code"],
                                         ip=client_ip(request), user_agent=user_agent(request))
        if not check.ok:
            prefs = await district_preferences(request)
            return await render(request, "auth/second_step.html", {"waiting": waiting, "trust": form["trust"]},
                                errors=[code_error(check, prefs.time_zone)])
        return await _signed_in(request, waiting, how=check.how, trust=form["trust"] == "yes")

    @get("/enrol", opt={"public": True})
    async def enrol_page(self, request: Request) -> Response:
        waiting = _pending(request, "enrol")
        if waiting is None:
            return redirect_after_post(request, "/?notice=code-step-expired")
        return await self._enrol(request, waiting)

    async def _enrol(self, request: Request, waiting: dict, errors: list | None = None) -> Response:
        enrolment = await enrolment_for(waiting["account"], waiting["username"], qr_label())
        return await render(request, "auth/enrol.html", {"enrolment": enrolment, "action": "/sign-in/enrol",
                                                         "required": True}, errors=errors)

    @post("/enrol", opt={"public": True})
    async def confirm(self, request: Request) -> Response:
        waiting = _pending(request, "enrol")
        if waiting is None:
            return redirect_after_post(request, "/?notice=code-step-expired", whole_page=True)
        form = await read_form(request, "code")
        result = await confirm_enrolment(waiting["account"], "" if form.errors else form["code"],
                                         ip=client_ip(request), user_agent=user_agent(request))
        if result.check is not None:
            prefs = await district_preferences(request)
            return await self._enrol(request, waiting, [code_error(result.check, prefs.time_zone)])
        return await _signed_in(request, waiting, how=HOW_TOTP, data=sealed(RECOVERY_CODES, result.recovery_codes),
                                to="/account/recovery-codes")
