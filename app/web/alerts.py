"""Email choices on the account page (issue 12 item 1) and unsubscribing by link (item 4).

The unsubscribe URL is the one in the email's List-Unsubscribe header and in its body. GET shows a
confirm button and changes nothing (mail scanners and link previews open links); POST changes it. A
mail client's one-click POST (RFC 8058: body `List-Unsubscribe=One-Click`) carries no CSRF token and no
cookie, so that route is exempt from the CSRF check: the signed token in the URL is the credential.
"""

from __future__ import annotations

from babel.dates import get_day_names

from dataclasses import asdict

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from app import i18n
from app.rules.errors import N_
from app.rules.preferences import WEEKDAYS
from app.services.alert_preferences import choices_of, save_choices, unsubscribe, unsubscribe_target
from app.web.forms import read_form
from app.web.guards import current_account, requires_guardian
from app.web.rendering import client_ip, redirect_after_post, render

WEEKDAY_NAMES = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
                 N_("Sunday"))
CHOICE_FIELDS = ("absence_alerts", "digest", "digest_day", "digest_missing_work", "digest_grades",
                 "grade_threshold", "quiet_start", "quiet_end")
KIND_NAMES = {"absence-alert": N_("same-day absence alerts"), "weekly-digest": N_("the weekly summary")}


async def alert_section(account, typed: dict | None = None) -> dict:
    """The account page's context for the email choices form: what is saved, or what was typed."""
    if typed is None:
        saved = asdict(await choices_of(account.id))
        saved["digest_day"] = WEEKDAYS[saved["digest_day"]] if saved["digest_day"] is not None else "district"
        typed = saved
    else:
        typed = {**typed, **{k: typed.get(k) == "on" for k in
                             ("absence_alerts", "digest", "digest_missing_work", "digest_grades")}}
    # A day alone in the list is capitalised ("Viernes"); inside a sentence it is written as the language writes
    # it there ("El día del distrito (viernes)", a parent tester's find): Babel's format-context names.
    in_text = get_day_names("wide", context="format", locale=i18n.current_language())
    return {"alert_typed": typed,
            "weekday_names": {day: i18n.gettext(name) for day, name in zip(WEEKDAYS, WEEKDAY_NAMES)},
            "weekday_in_text": {day: in_text[number] for number, day in enumerate(WEEKDAYS)}}


class AlertChoicesController(Controller):
    path = "/account/alerts"
    guards = [requires_guardian]

    @post("/")
    async def save(self, request: Request) -> Response:
        from app.web.account import _account_page

        form = await read_form(request, *CHOICE_FIELDS)
        errors = form.errors or await save_choices(current_account(request).id, form.values, ip=client_ip(request))
        if errors:
            return await _account_page(request, None, errors=errors, alert_typed=form.values)
        return redirect_after_post(request, "/account?notice=alerts-saved")


class UnsubscribeController(Controller):
    path = "/unsubscribe"

    @get("/{token:str}", opt={"public": True})
    async def confirm(self, request: Request, token: FromPath[str]) -> Response:
        target = await unsubscribe_target(token)
        if target is None:
            raise NotFoundException()
        return await render(request, "alerts/unsubscribe.html", {
            "token": token, "kind_name": KIND_NAMES[target[1]], "done": False})

    @post("/{token:str}", opt={"public": True, "exclude_from_csrf": True})
    async def unsubscribe(self, request: Request, token: FromPath[str]) -> Response:
        form = await request.form()
        one_click = form.get("List-Unsubscribe") == "One-Click"
        kind = await unsubscribe(token, ip=client_ip(request), how="one-click" if one_click else "link")
        if kind is None:
            raise NotFoundException()
        if one_click:
            return Response(content=b"", status_code=200, media_type="text/plain")
        return await render(request, "alerts/unsubscribe.html", {
            "token": token, "kind_name": KIND_NAMES[kind], "done": True})
