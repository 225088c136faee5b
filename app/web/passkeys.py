"""Passkeys in the browser (issue 14): /account/passkeys to add and remove them, /sign-in/passkey to sign in.
Both pages work as plain HTML (listing, removing, and saying what a passkey needs); static/js/passkeys.js,
loaded by these two pages only, does the WebAuthn ceremony with JSON requests to the routes below. The
challenge waits in the server-side session."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery

from app import clock, i18n
from app.rules.errors import N_, FieldError
from app.services.passkeys import (authenticate, authentication_options, passkeys_of, register,
                                   registration_options, remove_passkey)
from app.services.second_factor import HOW_PASSKEY
from app.web.auth import home_for
from app.web.forms import read_form
from app.web.guards import current_account
from app.web.rendering import client_ip, redirect_after_post, render
from app.web.second_step import destination, signed_in_response
from app.web.wizard_state import forget, remember, wizard_value

CHALLENGE = "passkey_challenge"
CHALLENGE_FOR = 300  # seconds; the browser's own timeout is 60
LONGEST_ANSWER = 20_000  # characters of JSON from the browser
NOTICES = {
    "added": N_("Your passkey was added. Next time, choose \"Log in with a passkey\" on the login page."),
    "removed": N_("The passkey was removed."),
}
NEEDS_SCRIPT = N_("Adding a passkey needs JavaScript in this browser. Your password still works as always.")


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _failed(message: str, status: int = 400) -> Response:
    return Response(content={"error": i18n.translate(message, {})}, status_code=status)


async def _challenge(request: Request, purpose: str) -> str | None:
    kept = wizard_value(request, CHALLENGE)
    await forget(request, CHALLENGE)  # one answer per challenge
    if not isinstance(kept, dict) or kept.get("purpose") != purpose:
        return None
    if (clock.now() - datetime.fromisoformat(kept["at"])).total_seconds() > CHALLENGE_FOR:
        return None
    return kept["challenge"]


async def _answer(request: Request) -> str | None:
    body = await request.body()
    if len(body) > LONGEST_ANSWER:
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


class PasskeyAccountController(Controller):
    path = "/account/passkeys"

    @get("/")
    async def passkeys(self, request: Request, notice: FromQuery[str] = "") -> Response:
        return await self._page(request, notice=NOTICES.get(notice))

    async def _page(self, request: Request, *, notice: str | None = None, errors: list | None = None,
                    status: int | None = None) -> Response:
        return await render(request, "account/passkeys.html", {
            "notice": notice, "passkeys": await passkeys_of(current_account(request).id)}, errors=errors,
            status=status)

    @post("/options")
    async def options(self, request: Request) -> Response:
        account = current_account(request)
        form = await read_form(request, "current_password")
        if not _wants_json(request):
            return await self._page(request, errors=[FieldError("current_password", NEEDS_SCRIPT)])
        ceremony = await registration_options(account.id, account.username, form["current_password"],
                                              ip=client_ip(request))
        if ceremony.errors:
            error = ceremony.errors[0]
            return Response(content={"error": i18n.translate(error.message, error.params)}, status_code=422)
        response = Response(content=ceremony.options_json, media_type="application/json")
        return await remember(request, response, **{CHALLENGE: {"challenge": ceremony.challenge, "purpose": "register",
                                                                "at": clock.now().isoformat()}})

    @post("/verify")
    async def verify(self, request: Request) -> Response:
        challenge = await _challenge(request, "register")
        answer = await _answer(request)
        if challenge is None or answer is None:
            return _failed(N_("That took too long. Try again."))
        if not await register(current_account(request).id, answer, challenge, ip=client_ip(request)):
            return _failed(N_("The passkey could not be added. Try again, or keep using your password."))
        return Response(content={"redirect": "/account/passkeys?notice=added"})

    @post("/remove")
    async def remove(self, request: Request) -> Response:
        form = await read_form(request, "passkey", "remove_password")
        errors = form.errors or await remove_passkey(current_account(request).id, form["passkey"],
                                                     form["remove_password"], ip=client_ip(request))
        if errors:
            return await self._page(request, errors=errors)
        return redirect_after_post(request, "/account/passkeys?notice=removed")


class PasskeySignInController(Controller):
    path = "/sign-in/passkey"

    @get("/", opt={"public": True})
    async def page(self, request: Request) -> Response:
        if current_account(request):
            return redirect_after_post(request, home_for(current_account(request).role))
        return await render(request, "auth/passkey.html")

    @post("/options", opt={"public": True})
    async def options(self, request: Request) -> Response:
        if not _wants_json(request):
            return redirect_after_post(request, "/sign-in/passkey")
        ceremony = authentication_options()
        response = Response(content=ceremony.options_json, media_type="application/json")
        return await remember(request, response, **{CHALLENGE: {"challenge": ceremony.challenge, "purpose": "sign-in",
                                                                "at": clock.now().isoformat()}})

    @post("/verify", opt={"public": True})
    async def verify(self, request: Request) -> Response:
        challenge = await _challenge(request, "sign-in")
        answer = await _answer(request)
        if challenge is None or answer is None:
            return _failed(N_("That took too long. Try again."))
        found = await authenticate(answer, challenge, ip=client_ip(request))
        if found.account_id is None:
            return _failed(N_("That passkey is not known here. Log in with your username and password."))
        waiting = {"account": found.account_id, "role": found.role, "language": found.language}
        return await signed_in_response(request, waiting, Response(content={"redirect": destination(request, waiting)}),
                                        how=HOW_PASSKEY)
