"""Issue 13 item 1: the language a family chose on this device survives signing in (asked once when it
differs from the account's), the language link is on every page, and error pages speak the visitor's
language inside the portal's own frame."""

from __future__ import annotations

import re

import pytest

from tests.integration.district import PASSWORD, make_account
from tests.integration.portal import page_text

SPANISH = {"Accept-Language": "es-MX,es;q=0.9"}


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


@pytest.fixture
async def rosa(district) -> int:
    return await make_account(district.guardian("rosa"), "RosaR")  # the account's language: English


async def account_language(account_id: int) -> str:
    from app.tables import UserAccount

    return (await UserAccount.select(UserAccount.language).where(UserAccount.id == account_id).first())["language"]


async def test_spanish_chosen_at_the_login_page_is_offered_for_the_account(portal, rosa):
    await portal.post("/language", {"language": "es", "next": "/"})
    signed_in = await portal.log_in("RosaR", PASSWORD)
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/language/confirm?next=%2Fhome"
    question = await portal.get(signed_in.headers["location"])
    assert question.status_code == 200 and html_lang(question.text) == "es"  # the language she was reading
    text = page_text(question.text)
    assert "¿En qué idioma quiere usar su cuenta?" in text
    assert "Usar español" in text and "Mantener inglés" in text
    answer = await portal.post("/language/confirm", {"language": "es", "next": "/home"})
    assert answer.status_code == 303 and answer.headers["location"] == "/home"
    assert await account_language(rosa) == "es"
    home = await portal.get("/home")
    assert html_lang(home.text) == "es" and "Mis estudiantes" in page_text(home.text)
    # Asked once: the next sign-in on this device goes straight home.
    await portal.log_out()
    again = await portal.log_in("RosaR", PASSWORD)
    assert again.headers["location"] == "/home"


async def test_keeping_the_accounts_language_is_remembered_on_the_device(portal, rosa):
    signed_in = await portal.log_in("RosaR", PASSWORD, headers=SPANISH)  # the phone asks for Spanish
    assert signed_in.headers["location"] == "/language/confirm?next=%2Fhome"
    answer = await portal.post("/language/confirm", {"language": "en", "next": "/home"}, headers=SPANISH)
    assert answer.headers["location"] == "/home"
    assert await account_language(rosa) == "en" and portal.cookie("lang") == "en"
    assert html_lang((await portal.get("/home", headers=SPANISH)).text) == "en"
    await portal.log_out()
    assert (await portal.log_in("RosaR", PASSWORD, headers=SPANISH)).headers["location"] == "/home"


async def test_no_question_when_the_device_and_the_account_agree_or_the_device_says_nothing(portal, rosa):
    assert (await portal.log_in("RosaR", PASSWORD)).headers["location"] == "/home"
    await portal.log_out()
    assert (await portal.log_in("RosaR", PASSWORD, headers={"Accept-Language": "en-US"})).headers[
        "location"] == "/home"
    await portal.log_out()
    assert (await portal.log_in("RosaR", PASSWORD, headers={"Accept-Language": "fr-FR"})).headers[
        "location"] == "/home"


async def test_the_question_refuses_a_language_not_offered_and_an_outside_next(portal, rosa):
    await portal.log_in("RosaR", PASSWORD, headers=SPANISH)
    assert (await portal.post("/language/confirm", {"language": "xx", "next": "/home"})).status_code == 400
    assert await account_language(rosa) == "en"
    answer = await portal.post("/language/confirm", {"language": "es", "next": "//evil.example"})
    assert answer.headers["location"] == "/"


async def test_the_question_needs_a_sign_in(portal, rosa):
    response = await portal.get("/language/confirm?next=/home", headers=SPANISH)
    assert response.status_code == 303 and response.headers["location"].startswith("/?")


async def test_with_htmx_signing_in_goes_to_the_question_as_a_whole_page(portal, rosa):
    response = await portal.log_in("RosaR", PASSWORD, htmx=True, headers=SPANISH)
    assert response.headers["hx-redirect"] == "/language/confirm?next=%2Fhome"


@pytest.mark.parametrize("language, title, other", [("en", "Page not found", "Español"),
                                                    ("es", "No se encontró la página", "English")])
async def test_page_not_found_is_in_the_visitors_language_and_the_portals_frame(portal, district, language,
                                                                                title, other):
    from app.services.preferences import set_preference

    await set_preference("district_name", "Riverside Unified")
    response = await portal.get("/no-such-page", headers={"Accept-Language": language})
    assert response.status_code == 404
    assert html_lang(response.text) == language
    text = page_text(response.text)
    assert title in text and "Riverside Unified" in text
    assert "404-802-1000" in text or "Call" in text or "Llame" in text  # the help number in the footer
    assert f'lang="{"es" if other == "Español" else "en"}">{other}</button>' in response.text
    assert "Content-Security-Policy" in response.headers


async def test_the_language_cookie_beats_the_browser_on_a_page_not_found(portal, district):
    await portal.post("/language", {"language": "es", "next": "/"})
    response = await portal.get("/nothing/here", headers={"Accept-Language": "en"})
    assert response.status_code == 404 and html_lang(response.text) == "es"


async def test_page_not_found_signed_in_shows_the_navigation_in_the_accounts_language(portal, rosa):
    from app.tables import UserAccount

    await UserAccount.update({UserAccount.language: "es"}).where(UserAccount.id == rosa)
    await portal.log_in("RosaR", PASSWORD)
    response = await portal.get("/no-such-page")
    assert response.status_code == 404 and html_lang(response.text) == "es"
    assert 'href="/home"' in response.text and 'action="/logout"' in response.text
    assert "Mis estudiantes" in page_text(response.text)
    # A route that exists but has nothing at that id: the same frame.
    student = await portal.get("/students/999999/grades")
    assert student.status_code == 404 and 'href="/home"' in student.text


async def test_the_language_link_on_a_page_not_found_works(portal, district):
    page = await portal.get("/no-such-page")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    assert token  # the frame's forms carry a CSRF token even here
    response = await portal.client.post("/language", data={"language": "es", "next": "/no-such-page",
                                                           "_csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/no-such-page"


@pytest.mark.parametrize("headers, title", [({}, "This form has expired"),
                                            (SPANISH, "Este formulario venció")])
async def test_an_expired_form_is_in_the_visitors_language_and_goes_back_to_its_page(portal, district, headers,
                                                                                     title):
    await portal.get("/forgot-password")
    portal.forget_cookie("homeroom_csrftoken")
    response = await portal.client.post("/forgot-password", data={"identifier": "x", "_csrf_token": "stale"},
                                        headers=headers)
    assert response.status_code == 403
    assert title in page_text(response.text)
    assert 'href="/forgot-password"' in response.text  # start again where the form was
    assert 'class="brand"' in response.text
