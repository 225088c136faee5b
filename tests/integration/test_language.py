"""The family's language (docs/design.md §1, §4.1, §7): the browser's Accept-Language, the switcher on the login page
and every page for visitors who are not signed in (a `lang` cookie), the account's language once signed in,
and email in the recipient's language."""

from __future__ import annotations

import dataclasses
import re

import pytest

from tests.integration.district import PASSWORD, SHARED_EMAIL, make_account
from tests.integration.portal import page_text, running_portal

SPANISH = {"Accept-Language": "es-US,es;q=0.9,en;q=0.5"}
YEAR = 365 * 24 * 60 * 60


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def set_cookie(response, name: str) -> str | None:
    return next((c for c in response.headers.get_list("set-cookie") if c.startswith(f"{name}=")), None)


async def choose(portal, language: str, next_path: str = "/", **kwargs):
    return await portal.post("/language", {"language": language, "next": next_path}, **kwargs)


@pytest.fixture
async def rosa(district) -> int:
    return await make_account(district.guardian("rosa"), "RosaR")


async def test_a_spanish_browser_gets_the_login_page_in_spanish(portal, district):
    page = await portal.get("/", headers=SPANISH)
    assert page.status_code == 200
    assert html_lang(page.text) == "es"
    text = page_text(page.text)
    for words in ("Iniciar sesión", "Nombre de usuario", "Contraseña", "¿Olvidó su contraseña?",
                  "¿Olvidó su nombre de usuario?", "Si se le asignó una clave de activación de Campus Portal"):
        assert words in text
    assert "Forgot Your Password?" not in text
    english = await portal.get("/")
    assert html_lang(english.text) == "en" and "Log In" in page_text(english.text)


async def test_the_login_page_offers_every_other_language_at_the_top(portal, district):
    page = (await portal.get("/")).text
    form = re.search(r'<form method="post" action="/language".*?</form>', page, re.S).group(0)
    assert page.index('action="/language"') < page.index("<main")  # at the top, before the page's own content
    assert 'aria-label="Language"' in form
    assert re.findall(r'name="switch_language" value="(\w+)"', form) == ["es"]  # English is what the page is in
    # The login page has a form: without JavaScript the button sends it, so the username typed is kept
    # (app/web/typed_draft.py); app.js makes it the switcher's own button again.
    assert ('<button type="submit" class="link" name="switch_language" value="es" lang="es" form="typed-form" '
            'formaction="/language?back=%2F">Español</button>') in form
    assert 'name="_csrf_token"' in form and 'name="next" value="/"' in form
    spanish = (await portal.get("/", headers=SPANISH)).text
    spanish_form = re.search(r'<form method="post" action="/language".*?</form>', spanish, re.S).group(0)
    assert re.findall(r'name="switch_language" value="(\w+)"', spanish_form) == ["en"]
    assert 'aria-label="Idioma"' in spanish_form


async def test_the_switcher_sets_a_cookie_and_the_next_page_is_spanish(portal, district):
    response = await choose(portal, "es", "/forgot-password")
    assert response.status_code == 303
    assert response.headers["location"] == "/forgot-password"
    cookie = set_cookie(response, "lang").lower()
    assert cookie.startswith("lang=es;")
    assert f"max-age={YEAR}" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http here; https deployments: below
    assert portal.cookie("lang") == "es"

    page = await portal.get("/forgot-password")
    assert html_lang(page.text) == "es"
    assert "¿Olvidó su contraseña?" in page_text(page.text)
    # The cookie beats the browser's own language, both ways.
    assert html_lang((await portal.get("/", headers={"Accept-Language": "en-US"})).text) == "es"
    back = await choose(portal, "en", "/")
    assert back.status_code == 303 and portal.cookie("lang") == "en"
    assert html_lang((await portal.get("/", headers=SPANISH)).text) == "en"


async def test_a_form_with_errors_switches_back_to_the_login_page(portal, district):
    failed = await portal.log_in("", "")
    assert failed.status_code == 422
    assert 'name="next" value="/"' in failed.text  # the login form posts to the login page's own URL
    assert (await choose(portal, "es", "/")).headers["location"] == "/"


@pytest.mark.parametrize("language", ["xx", "de", "", "es-MX", "ES", "es "])
async def test_a_language_that_is_not_offered_is_refused(portal, district, language):
    response = await choose(portal, language, "/forgot-password")
    assert response.status_code == 400
    assert set_cookie(response, "lang") is None
    assert "Nothing was changed" in page_text(response.text)
    assert html_lang((await portal.get("/")).text) == "en"


async def test_a_repeated_language_field_counts_once(portal, district):
    response = await portal.post("/language", [("language", "es"), ("language", "xx"), ("next", "/")])
    assert response.status_code == 303 and portal.cookie("lang") == "es"


@pytest.mark.parametrize("next_path", [
    "https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example", "http:/evil.example",
    "javascript:alert(1)", "evil.example", "", "/\t/evil.example", "/%0d%0aSet-Cookie:x=1" + "\r\n",
])
async def test_the_switcher_only_goes_back_to_a_page_of_this_site(portal, district, next_path):
    response = await choose(portal, "es", next_path)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_the_switcher_keeps_a_path_and_query_of_this_site(portal, district):
    response = await choose(portal, "es", "/?notice=signed-out")
    assert response.headers["location"] == "/?notice=signed-out"


async def test_the_switcher_needs_the_csrf_token(portal, district):
    response = await portal.post("/language", {"language": "es", "next": "/"}, csrf=False)
    assert response.status_code == 403
    assert portal.cookie("lang") is None


async def test_with_htmx_the_whole_page_reloads(portal, district):
    response = await choose(portal, "es", "/forgot-username", htmx=True)
    assert response.status_code == 200 and response.headers["hx-redirect"] == "/forgot-username"
    assert portal.cookie("lang") == "es"


async def test_a_signed_in_guardians_choice_is_kept_on_the_account(portal, rosa):
    from app.tables import AuditEvent, UserAccount

    assert (await portal.log_in("RosaR", PASSWORD)).status_code == 303
    response = await choose(portal, "es", "/home")
    assert response.status_code == 303 and response.headers["location"] == "/home"
    account = await UserAccount.select(UserAccount.language).where(UserAccount.id == rosa).first()
    assert account["language"] == "es"
    assert [e["detail"] for e in await AuditEvent.select(AuditEvent.detail).where(
        AuditEvent.action == "language.changed")] == ["es"]
    home = await portal.get("/home")
    assert html_lang(home.text) == "es" and "Mis estudiantes" in page_text(home.text)
    # Signed in, the account's language wins over the cookie and the browser.
    portal.forget_cookie("lang")
    assert html_lang((await portal.get("/home", headers={"Accept-Language": "en"})).text) == "es"


async def test_signed_in_pages_have_the_language_link_too(portal, rosa):
    assert (await portal.log_in("RosaR", PASSWORD)).status_code == 303
    page = (await portal.get("/household")).text
    assert 'action="/language"' in page and 'name="next" value="/household"' in page


async def test_the_username_email_goes_out_in_the_accounts_language(portal, rosa, deliver):
    from app.tables import UserAccount

    await UserAccount.update({UserAccount.language: "es"}).where(UserAccount.id == rosa)
    # Asked for from an English page: the email follows the account, not the visitor.
    response = await portal.post("/forgot-username", {"email": SHARED_EMAIL})
    assert response.status_code == 303
    [mail] = await deliver()
    assert mail.to == SHARED_EMAIL
    assert mail.subject == "Su nombre de usuario de Campus Portal"
    assert "Este nombre de usuario está vinculado a este correo electrónico en Campus Portal:" in mail.text
    assert "RosaR" in mail.text and "RosaR" in mail.html
    assert "Si usted no lo pidió, puede ignorar este correo." in mail.text
    assert 'lang="es"' in mail.html or "Iniciar sesión" in mail.html
    assert "username" not in mail.text.lower().replace("rosar", "")


async def test_https_deployments_send_a_secure_language_cookie(database, mailbox, monkeypatch):
    from app import create_app
    from app.settings import get_settings
    from app.web import language

    settings = dataclasses.replace(get_settings(), public_url="https://portal.test", smtp_url=None)
    monkeypatch.setattr(language, "get_settings", lambda: settings)  # cookies read the settings as they run
    async with running_portal(create_app(settings)) as browser:
        browser.client.base_url = "https://portal.test"
        page = await browser.get("/")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
        response = await browser.client.post("/language", data={"language": "es", "next": "/",
                                                                "_csrf_token": token})
    assert response.status_code == 303
    cookie = set_cookie(response, "lang").lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


async def test_an_account_created_in_spanish_stays_in_spanish(portal, district):
    from app.tables import UserAccount
    from tests.integration import leaks
    from tests.integration.district import issue_key

    key = await issue_key(district.guardian("rosa"))
    leaks.remember(PASSWORD, leaks.PASSWORD)
    assert (await choose(portal, "es", "/activate")).headers["location"] == "/activate"
    assert (await portal.post("/activate", {"activation_key": key})).status_code == 303
    created = await portal.post("/activate/account", {"username": "RosaR", "password": PASSWORD,
                                                      "verify_password": PASSWORD})
    assert created.status_code == 303
    account = await UserAccount.select(UserAccount.language).where(UserAccount.username == "RosaR").first()
    assert account["language"] == "es"
    portal.forget_cookie("lang")
    home = await portal.get(created.headers["location"])
    assert html_lang(home.text) == "es" and "Mis estudiantes" in page_text(home.text)


async def test_a_link_in_a_spanish_email_opens_the_page_in_spanish(portal, rosa, deliver):
    """Issue 13: the reset page opened from a Spanish email showed English (the device had no Spanish cookie)."""
    from app.tables import UserAccount

    await UserAccount.update({UserAccount.language: "es"}).where(UserAccount.id == rosa)
    await portal.post("/forgot-password", {"identifier": "RosaR"})
    [mail] = await deliver()
    link = re.search(r"http://portal\.test/reset/[A-Za-z0-9_-]+\?lang=es", mail.text).group(0)
    assert link in mail.html
    # Every portal link in the email carries the language, not only the one with the token.
    assert all("lang=es" in url for url in re.findall(r"http://portal\.test[^\s\"<]*", mail.text))
    opened = await portal.get(link.removeprefix("http://portal.test"), headers={"Accept-Language": "en"})
    assert opened.status_code == 303 and opened.headers["location"] == "/reset"
    assert "lang=es" in set_cookie(opened, "lang")  # the device keeps the email's language for the next pages
    page = await portal.get("/reset", headers={"Accept-Language": "en"})
    assert html_lang(page.text) == "es" and "Contraseña nueva" in page_text(page.text)


async def test_an_english_email_opens_in_english_on_a_spanish_phone(portal, rosa, deliver):
    await portal.post("/forgot-username", {"email": SHARED_EMAIL})
    [mail] = await deliver()
    login = re.search(r"http://portal\.test/\?lang=en", mail.text).group(0)
    page = await portal.get(login.removeprefix("http://portal.test"), headers=SPANISH)
    assert html_lang(page.text) == "en" and "Log In" in page_text(page.text)


@pytest.mark.parametrize("query", ["lang=xx", "lang=es&lang=en", "lang=", "lang=ES"])
async def test_a_link_language_that_is_not_offered_is_ignored(portal, district, query):
    page = await portal.get(f"/forgot-password?{query}")
    assert page.status_code == 200 and html_lang(page.text) == "en"
    assert set_cookie(page, "lang") is None


def test_every_portal_link_in_an_email_context_carries_the_language():
    from app.mail.outbox import links_in_language

    portal = "https://portal.example"
    context = {"link": f"{portal}/reset/abc", "portal_url": portal, "other": "https://elsewhere.example/x",
               "children": [{"grades_url": f"{portal}/students/s1/grades?term=q1#top"}],
               "text": f"see {portal}/x now", "kept": f"{portal}/a?lang=en"}
    assert links_in_language(context, "es", portal) == {
        "link": f"{portal}/reset/abc?lang=es", "portal_url": f"{portal}/?lang=es",
        "other": "https://elsewhere.example/x",
        "children": [{"grades_url": f"{portal}/students/s1/grades?term=q1&lang=es#top"}],
        "text": f"see {portal}/x now", "kept": f"{portal}/a?lang=en"}
