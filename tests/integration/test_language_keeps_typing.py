"""Issue 13 item 1, with JavaScript off: the language buttons at the top of a page with a form send that form, so
what was typed comes back once on the same page in the other language (app/web/typed_draft.py), never a secret
(password, SSN), and never on another page or after ten minutes."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.integration.district import PASSWORD, make_account
from tests.integration.portal import page_text


@pytest.fixture
async def rosa(district) -> int:
    from app.tables import Household, HouseholdMember

    rivera = Household(source_id="hh-rivera", name="Rivera", address_line1="12 Maple Street", city="Atlanta",
                       state="GA", postal_code="30303")
    await rivera.save()
    await HouseholdMember(household=rivera.id, person=district.guardian("rosa").id).save()
    return await make_account(district.guardian("rosa"), "RosaR")


def value_of(html: str, field_id: str) -> str | None:
    tag = re.search(rf'<input id="{field_id}"[^>]*>', html)
    if tag is None:
        return None
    value = re.search(r' value="([^"]*)"', tag.group(0))
    return unescape(value.group(1)) if value else ""


def switch_buttons(html: str) -> list[str]:
    form = re.search(r'<form method="post" action="/language" class="language-switch".*?</form>', html, re.S).group(0)
    return re.findall(r"<button[^>]*>", form)


async def switch_with_the_page(portal, path: str, fields: dict, language: str = "es"):
    """What a browser without JavaScript sends when the language button of `path` is pressed."""
    page = await portal.get(path)
    button = next(b for b in switch_buttons(page.text) if f'value="{language}"' in b)
    action = unescape(re.search(r'formaction="([^"]+)"', button).group(1))
    assert 'form="typed-form"' in button and 'name="switch_language"' in button
    assert 'id="typed-form"' in page.text  # the page's form the button belongs to
    # Enter in a field presses the form's first submit button in the page: a hidden one sending the form to its
    # own address comes before the language buttons (the keyboard walk presses Enter with JavaScript off).
    shim = page.text.index('<button type="submit" form="typed-form" hidden tabindex="-1"></button>')
    assert shim < page.text.index('name="switch_language"')
    return await portal.post(action, {**fields, "switch_language": language})


async def test_an_address_typed_comes_back_in_spanish_once(portal, rosa):
    await portal.log_in("RosaR", PASSWORD)
    switched = await switch_with_the_page(portal, "/household/address", {
        "address_line1": "48 Peachtree Road", "address_line2": "", "city": "Atlanta", "state": "GA",
        "postal_code": "30303", "current_password": PASSWORD})
    assert switched.status_code == 303 and switched.headers["location"] == "/household/address"
    again = await portal.get("/household/address")
    assert re.search(r'<html lang="es"', again.text)
    assert value_of(again.text, "address-line1") == "48 Peachtree Road"
    assert value_of(again.text, "city") == "Atlanta"
    assert PASSWORD not in again.text  # a password is never kept
    # Once: the page opened again shows what is on file.
    assert value_of((await portal.get("/household/address")).text, "address-line1") == "12 Maple Street"


async def test_the_key_request_keeps_everything_but_the_ssn_for_a_visitor(portal, district):
    switched = await switch_with_the_page(portal, "/request-key", {
        "student_number": "100234", "ssn": "123-45-6789", "birth_date": "03/12/2014",
        "requester_name": "Maria Lopez", "email": "maria@example.com", "relationship": "Mother"})
    assert switched.headers["location"] == "/request-key"
    page = await portal.get("/request-key")
    assert re.search(r'<html lang="es"', page.text)
    assert value_of(page.text, "student-number") == "100234"
    assert value_of(page.text, "email") == "maria@example.com"
    assert value_of(page.text, "ssn") == "" and "6789" not in page.text


async def test_the_draft_is_sealed_in_the_session_row(portal, rosa):
    from app.tables import WebSession

    await portal.log_in("RosaR", PASSWORD)
    await switch_with_the_page(portal, "/household/email", {"email": "rosa.new@example.com",
                                                            "current_password": PASSWORD})
    rows = await WebSession.select(WebSession.data)
    assert rows and not any("rosa.new" in (r["data"] or "") or PASSWORD in (r["data"] or "") for r in rows)
    page = await portal.get("/household/email")
    assert value_of(page.text, "email") == "rosa.new@example.com"


async def test_a_draft_is_for_its_own_page_and_ten_minutes_only(portal, rosa, clock):
    await portal.log_in("RosaR", PASSWORD)
    await switch_with_the_page(portal, "/household/address", {"address_line1": "48 Peachtree Road"})
    other = await portal.get("/household/email")  # another page first: the draft is dropped
    assert "48 Peachtree Road" not in other.text
    assert "48 Peachtree Road" not in (await portal.get("/household/address")).text
    await switch_with_the_page(portal, "/household/address", {"address_line1": "48 Peachtree Road"}, "en")
    clock.advance(minutes=11)
    assert "48 Peachtree Road" not in (await portal.get("/household/address")).text


async def test_the_way_back_is_this_site_only(portal, district):
    page = await portal.get("/request-key")
    assert 'id="typed-form"' in page.text
    sent = await portal.post("/language?back=//evil.example/x", {"student_number": "1", "switch_language": "es"})
    assert sent.status_code == 303 and sent.headers["location"] == "/"


async def test_a_page_without_a_form_keeps_the_switchers_own_form(portal, rosa):
    await portal.log_in("RosaR", PASSWORD)
    home = await portal.get("/home")
    buttons = switch_buttons(home.text)
    assert buttons and all('name="language"' in b and "form=" not in b for b in buttons)
    assert 'id="typed-form"' not in home.text


async def test_the_switchers_own_form_still_works_and_keeps_nothing(portal, district):
    sent = await portal.post("/language", {"language": "es", "next": "/request-key"})
    assert sent.headers["location"] == "/request-key"
    assert "Solicitar" in page_text((await portal.get("/request-key")).text)
