"""The language switcher (docs/design.md §4.1): a plain form at the top of every page (with JavaScript off, on a page
with a form, its buttons send that form, so what was typed is kept: app/web/typed_draft.py).
The choice goes in a `lang` cookie (read by SessionMiddleware); a signed-in account keeps it too."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import ClientException
from litestar.params import FromQuery

from app import i18n
from app.i18n import available_languages
from app.rules.errors import N_
from app.rules.language_switch import language_choice, return_path
from app.services.account_settings import change_language
from app.settings import get_settings
from app.web.forms import read_form
from app.web.guards import current_account
from app.web.rendering import client_ip, redirect_after_post, render, visitor_language
from app.web.session_cookie import LANGUAGE_COOKIE
from app.web.typed_draft import keep_typing

REMEMBERED_FOR = timedelta(days=365)
# A language's name inside a sentence of the page's own language ("Keep English", "Mantener inglés").
NAMES_IN_SENTENCES = {"en": N_("English"), "es": N_("Spanish")}


class LanguageController(Controller):
    @post("/language", opt={"public": True})
    async def choose_language(self, request: Request) -> Response:
        form = await read_form(request, "language", "next", "switch_language")
        # A button that sent the page's own form (JavaScript off, app/web/typed_draft.py) is `switch_language`,
        # with the page to come back to in the query; the switcher's own form says `language` and `next`.
        sent_the_page = bool(form["switch_language"])
        language = language_choice(form["switch_language"] or form["language"], available_languages())
        if language is None:
            raise ClientException()  # the list offers nothing else: the friendly 400 page, nothing changed
        account = current_account(request)
        if account:
            await change_language(account, language, ip=client_ip(request))
        back = return_path(request.query_params.get("back", "") if sent_the_page else form["next"])
        # The whole frame (navigation, footer) changes language, so htmx reloads the page.
        response = remember_language(redirect_after_post(request, back, whole_page=True), language)
        # The page's form, or (its own form, JavaScript on) the errors the page showed, which app.js adds to it.
        return await keep_typing(request, response, back)

    @get("/language", opt={"public": True})
    async def back_to_the_page(self, request: Request, back: FromQuery[str] = "") -> Response:
        """The switch's own address opened or reloaded (a tester reloaded "This form has expired", which a switch
        answers after signing in or out in another tab, and got a 405): back to the page it was for."""
        return redirect_after_post(request, return_path(back))

    @get("/language/confirm")
    async def language_question(self, request: Request, next: FromQuery[str] = "") -> Response:
        """Asked once after signing in, when this device's language differs from the account's: in the
        device's language, since that is the one the parent was reading a moment ago."""
        account = current_account(request)
        device = visitor_language(request)
        if device is None or device == account.language:
            return redirect_after_post(request, return_path(next))
        i18n.set_language(device)  # this page only: the middleware puts the account's language back after it
        return await render(request, "language/confirm.html", {
            "next": return_path(next), "device": device, "device_name": NAMES_IN_SENTENCES[device],
            "account_language": account.language, "account_name": NAMES_IN_SENTENCES[account.language]})

    @post("/language/confirm")
    async def answer_language_question(self, request: Request) -> Response:
        form = await read_form(request, "language", "next")
        language = language_choice(form["language"], available_languages())
        if language is None:
            raise ClientException()
        await change_language(current_account(request), language, ip=client_ip(request))
        # The cookie now agrees with the account, so this device is not asked again.
        return remember_language(redirect_after_post(request, return_path(form["next"]), whole_page=True), language)


def language_cookie(language: str) -> Cookie:
    """The cookie that remembers this device's language: set by the switcher, the sign-in question, and a
    link from an email (which carries the email's language, `?lang=es`: issue 13)."""
    return Cookie(key=LANGUAGE_COOKIE, value=language, path="/", max_age=int(REMEMBERED_FOR.total_seconds()),
                  secure=get_settings().secure_cookies, httponly=True, samesite="lax")


def remember_language(response: Response, language: str) -> Response:
    response.set_cookie(language_cookie(language))
    return response


def after_sign_in(request: Request, account_language: str | None, destination: str) -> str:
    """Where a fresh sign-in goes: the language question first when this device asked for another language
    than the account's (issue 13 item 1), then the destination."""
    device = visitor_language(request)
    if device is not None and account_language is not None and device != account_language:
        return f"/language/confirm?{urlencode({'next': destination})}"
    return destination
