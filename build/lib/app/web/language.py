"""The language switcher (DESIGN §4.1): a plain form in the footer of every page for people who are not
signed in. The choice goes in a `lang` cookie (read by SessionMiddleware); a signed-in account keeps it too."""

from __future__ import annotations

from datetime import timedelta

from litestar import Controller, Request, Response, post
from litestar.exceptions import ClientException

from app.i18n import available_languages
from app.rules.language_switch import language_choice, return_path
from app.services.account_settings import change_language
from app.settings import get_settings
from app.web.forms import read_form
from app.web.guards import current_account
from app.web.rendering import client_ip, redirect_after_post
from app.web.session_cookie import LANGUAGE_COOKIE

REMEMBERED_FOR = timedelta(days=365)


class LanguageController(Controller):
    @post("/language", opt={"public": True})
    async def choose_language(self, request: Request) -> Response:
        form = await read_form(request, "language", "next")
        language = language_choice(form["language"], available_languages())
        if language is None:
            raise ClientException()  # the list offers nothing else: the friendly 400 page, nothing changed
        account = current_account(request)
        if account:
            await change_language(account, language, ip=client_ip(request))
        # The whole frame (navigation, footer) changes language, so htmx reloads the page.
        response = redirect_after_post(request, return_path(form["next"]), whole_page=True)
        response.set_cookie(key=LANGUAGE_COOKIE, value=language, path="/", max_age=int(REMEMBERED_FOR.total_seconds()),
                            secure=get_settings().secure_cookies, httponly=True, samesite="lax")
        return response
