"""Household information (docs/design.md §4.9): the page, "This is correct", phones, email and address.

Which household and which person are always the signed-in guardian's (from the session); a phone id in
a URL is looked up among that guardian's own phones only.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.exceptions import NotFoundException

from app.rules.addresses import Address
from app.rules.errors import N_
from app.rules.phones import PHONE_KINDS
from app.services.household import (
    EMAIL_LINK_LIFETIME,
    confirm_email_change,
    email_change_awaiting,
    find_email_change,
    find_phone,
    household_information,
    remove_phone,
    request_address_change,
    request_email_change,
    save_phone,
    verify_household,
)
from app.web.forms import read_form
from app.web.guards import current_account, requires_guardian
from app.web.rendering import client_ip, redirect_after_post, render
from app.web.wizard_state import forget, remember_in_new_session, wizard_value

NOTICES = {
    "verified": N_("Thank you. You confirmed your household information for this school year."),
    "phone-added": N_("Your phone number was added."),
    "phone-changed": N_("Your phone number was changed."),
    "phone-removed": N_("Your phone number was removed."),
    "email-link-sent": N_("We emailed a confirmation link to your new address. Your email address changes when "
                          "you open that link."),
    "address-requested": N_("Your address change was sent to the school office. We will show the new address "
                            "once staff have approved it."),
}
ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "state", "postal_code")


class HouseholdController(Controller):
    path = "/household"
    guards = [requires_guardian]

    @get("/")
    async def household(self, request: Request, notice: FromQuery[str] = "") -> Response:
        info = await household_information(current_account(request))
        return await render(request, "household/index.html", {"info": info, "notice": NOTICES.get(notice),
                                                                "kinds": PHONE_KINDS})

    @post("/verify")
    async def verify(self, request: Request) -> Response:
        if not await verify_household(current_account(request), ip=client_ip(request)):
            raise NotFoundException()
        return redirect_after_post(request, "/household?notice=verified")

    @get("/phones/new")
    async def new_phone(self, request: Request) -> Response:
        return await render(request, "household/phone.html", _phone_form(None, "mobile", ""))

    @post("/phones/new")
    async def add_phone(self, request: Request) -> Response:
        return await _save_phone(request, None)

    @get("/phones/{phone_id:int}")
    async def edit_phone(self, request: Request, phone_id: FromPath[int]) -> Response:
        phone = await _own_phone(request, phone_id)
        return await render(request, "household/phone.html",
                            _phone_form(phone_id, phone["kind"], phone["number"]))

    @post("/phones/{phone_id:int}")
    async def change_phone(self, request: Request, phone_id: FromPath[int]) -> Response:
        return await _save_phone(request, phone_id)

    @get("/phones/{phone_id:int}/remove")
    async def confirm_phone_removal(self, request: Request, phone_id: FromPath[int]) -> Response:
        return await render(request, "household/phone_remove.html", {"phone": await _own_phone(request, phone_id)})

    @post("/phones/{phone_id:int}/remove")
    async def remove_phone(self, request: Request, phone_id: FromPath[int]) -> Response:
        phone = await _own_phone(request, phone_id)
        form = await read_form(request, "current_password")
        result = await remove_phone(current_account(request), phone_id, form["current_password"],
                                    ip=client_ip(request)) if not form.errors else None
        if result and result.done:
            return redirect_after_post(request, "/household?notice=phone-removed")
        return await render(request, "household/phone_remove.html", {"phone": phone},
                            errors=form.errors or result.errors)

    @get("/email")
    async def new_email(self, request: Request) -> Response:
        return await render(request, "household/email.html", {"email": "", "minutes": _link_minutes()})

    @post("/email")
    async def request_email_change(self, request: Request) -> Response:
        form = await read_form(request, "email", "current_password")
        result = await request_email_change(current_account(request), form["email"], form["current_password"],
                                            ip=client_ip(request)) if not form.errors else None
        if result and result.done:
            return redirect_after_post(request, "/household?notice=email-link-sent")
        return await render(request, "household/email.html", {"email": form["email"], "minutes": _link_minutes()},
                            errors=form.errors or result.errors)

    @get("/address")
    async def new_address(self, request: Request) -> Response:
        info = await household_information(current_account(request))
        if info.household is None:
            raise NotFoundException()
        return await render(request, "household/address.html", {
            "address": info.household, "may_ask": info.may_ask_address_change})

    @post("/address")
    async def request_address_change(self, request: Request) -> Response:
        form = await read_form(request, *ADDRESS_FIELDS)
        result = None
        if not form.errors:
            result = await request_address_change(current_account(request), Address(
                form["address_line1"], form["address_line2"], form["city"], form["state"], form["postal_code"]),
                ip=client_ip(request))
            if result.not_found:
                raise NotFoundException()
            if result.done:
                return redirect_after_post(request, "/household?notice=address-requested")
        return await render(request, "household/address.html", {"address": form.values},
                            errors=form.errors or result.errors)


async def _own_phone(request: Request, phone_id: int) -> dict:
    phone = await find_phone(current_account(request), phone_id)
    if phone is None:
        raise NotFoundException()
    return phone


def _phone_form(phone_id: int | None, kind: str, number: str) -> dict:
    return {"phone_id": phone_id, "kind": kind, "number": number, "kinds": PHONE_KINDS}


async def _save_phone(request: Request, phone_id: int | None) -> Response:
    form = await read_form(request, "kind", "number", "current_password")
    result = None
    if not form.errors:
        result = await save_phone(current_account(request), phone_id, form["kind"], form["number"],
                                  form["current_password"], ip=client_ip(request))
        if result.not_found:
            raise NotFoundException()
        if result.done:
            return redirect_after_post(request, f"/household?notice={'phone-added' if phone_id is None else 'phone-changed'}")
    return await render(request, "household/phone.html", _phone_form(phone_id, form["kind"], form["number"]),
                        errors=form.errors or result.errors)


def _link_minutes() -> int:
    return int(EMAIL_LINK_LIFETIME.total_seconds() // 60)


class EmailConfirmationController(Controller):
    """The link in the confirmation email. Opening it changes nothing: the page asks the parent to confirm
    with a button (a POST), so mail scanners that follow links cannot confirm for them. The token leaves
    the URL at once and waits in the session, as reset links do (docs/security.md E7)."""

    path = "/email"

    @get("/confirm/{token:str}", opt={"public": True})
    async def open_link(self, request: Request, token: FromPath[str]) -> Response:
        # As with reset links: a new session for a link that works, none for one that does not.
        change_id = await find_email_change(token)
        response = redirect_after_post(request, "/email/confirm")
        if change_id is None:
            await forget(request, "email_change_id")
            return response
        return await remember_in_new_session(request, response, email_change_id=change_id)

    @get("/confirm", opt={"public": True})
    async def confirm_page(self, request: Request) -> Response:
        change_id = wizard_value(request, "email_change_id")
        new_email = await email_change_awaiting(change_id) if change_id is not None else None
        if new_email is None:
            return await render(request, "household/email_link_gone.html", status=410)
        return await render(request, "household/email_confirm.html", {"new_email": new_email})

    @post("/confirm", opt={"public": True})
    async def confirm(self, request: Request) -> Response:
        change_id = wizard_value(request, "email_change_id")
        new_email = await confirm_email_change(change_id, ip=client_ip(request)) if change_id is not None else None
        await forget(request, "email_change_id")
        if new_email is None:
            return await render(request, "household/email_link_gone.html", status=410)
        return redirect_after_post(request, "/email/confirmed")

    @get("/confirmed", opt={"public": True})
    async def confirmed(self, request: Request) -> Response:
        return await render(request, "household/email_confirmed.html")
