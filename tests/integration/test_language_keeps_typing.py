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


# --- an attacker's findings (a helper with the code in hand), each failed before its fix ------------------------

async def plant(attacker, victim) -> None:
    """The attacker gets an anonymous session of their own and plants its cookie in the victim's browser (a shared
    computer), as tests/integration/test_session_fixation.py does."""
    await attacker.post("/language?back=/forgot-password", {"identifier": "x", "switch_language": "en"})
    await attacker.get("/forgot-password")  # takes the attacker's own draft
    victim.set_session_cookie(attacker.session_cookie)


@pytest.mark.parametrize("name", ["$decimal", "$date", "$time", "$uuid"])
async def test_a_field_named_like_a_sealed_value_tag_breaks_nothing(portal, district, name):
    """A draft kept as {name: text} read `{"$decimal": "x"}` back as a Decimal: every GET of the session was a 500,
    the draft never dropped. Fields are kept as [name, text] pairs now, and a draft that cannot be read is dropped."""
    sent = await portal.post("/language?back=/request-key", {name: "x", "switch_language": "es"})
    assert sent.status_code == 303
    for path in ("/request-key", "/", "/forgot-password", "/request-key"):
        assert (await portal.get(path)).status_code == 200


async def test_a_planted_session_neither_reads_nor_fills_the_visitors_form(portal, second_portal, district):
    """A visitor's typing goes into a new session of their own (the planted one ends): whoever planted the old
    cookie can neither read it nor put their own values (an email of theirs) in the visitor's form."""
    await plant(second_portal, portal)
    planted = portal.session_cookie
    await portal.post("/language?back=/request-key", {
        "student_number": "S100002", "requester_name": "Keisha Thomas", "email": "keisha.private@example.com",
        "switch_language": "es"})
    assert portal.session_cookie != planted
    stolen = await second_portal.get("/request-key")  # the attacker polls the page with the planted cookie
    assert "keisha.private@example.com" not in stolen.text and "S100002" not in stolen.text
    assert value_of((await portal.get("/request-key")).text, "email") == "keisha.private@example.com"
    # The other way: the attacker posts a draft with a cookie planted again; the visitor's page shows none of it.
    await plant(second_portal, portal)
    await second_portal.post("/language?back=/request-key", {"email": "attacker@evil.example", "no_ssn": "yes",
                                                             "switch_language": "en"})
    page = await portal.get("/request-key")
    assert "attacker@evil.example" not in page.text and not re.search(r'id="no-ssn"[^>]*checked', page.text)


async def test_a_page_opened_from_an_emails_link_switches_all_the_same(portal, district):
    """The way back kept the email's `?lang=en`, which chose English again on arrival."""
    page = await portal.get("/request-key?lang=en")
    button = next(b for b in switch_buttons(page.text) if 'value="es"' in b)
    action = unescape(re.search(r'formaction="([^"]+)"', button).group(1))
    sent = await portal.post(action, {"student_number": "1", "switch_language": "es"})
    assert sent.headers["location"] == "/request-key"
    assert re.search(r'<html lang="es"', (await portal.get("/request-key")).text)
    own = await portal.post("/language", {"language": "en", "next": "/forgot-password?lang=es&from=mail"})
    assert own.headers["location"] == "/forgot-password?from=mail"  # the switcher's own form likewise


async def test_the_account_page_shows_the_language_just_chosen(portal, rosa):
    """The account page's first form is its language choice: the draft put the old one back (a retester's find)."""
    await portal.log_in("RosaR", PASSWORD)
    await portal.post("/language?back=/account", {"language": "en", "switch_language": "es"})
    again = await portal.get("/account")
    assert re.search(r'<html lang="es"', again.text)
    assert re.search(r'name="language" value="es" checked', again.text)


async def test_a_draft_is_small_whatever_is_posted(portal, district):
    """One anonymous POST of 40 fields of 1,000 characters stored a 54 KB session row."""
    from app.tables import WebSession

    sent = await portal.post("/language?back=/request-key",
                             {**{f"f{i}": "A" * 1000 for i in range(40)}, "switch_language": "es"})
    assert sent.status_code == 303
    [row] = await WebSession.select(WebSession.data)
    assert len(row["data"]) < 6000


async def test_a_form_of_buttons_only_is_not_the_one_the_language_buttons_send(portal, district):
    from app.templating import fields_so_far, start_page, typed_form_id

    start_page(None)
    before = fields_so_far()
    assert typed_form_id(before) == ""  # a form that asked for no field (an Unlock button)
    from app.templating import kept

    kept("reason")
    assert typed_form_id(before) == "typed-form"


async def test_a_draft_does_not_cross_signing_in_or_out(portal, rosa):
    await portal.post("/language?back=/household/address", {"address_line1": "ANON TYPED", "switch_language": "en"})
    await portal.log_in("RosaR", PASSWORD)
    assert "ANON TYPED" not in (await portal.get("/household/address")).text
    await portal.post("/language?back=/household/address", {"address_line1": "ROSA TYPED", "switch_language": "en"})
    await portal.log_out()
    await portal.log_in("RosaR", PASSWORD)
    assert "ROSA TYPED" not in (await portal.get("/household/address")).text


async def test_the_errors_the_page_showed_show_again_in_the_other_language(portal, rosa):
    """A tester's find: a parent who switches because they cannot read the error got the form back without it."""
    await portal.log_in("RosaR", PASSWORD)
    refused = await portal.post("/household/email", {"email": "bad", "current_password": PASSWORD})
    assert refused.status_code == 422
    shown = re.findall(r'<input type="hidden" name="_shown_error" value="([^"]*)">', refused.text)
    assert len(shown) == 1 and "right format" in unescape(shown[0])
    switched = await portal.post("/language?back=/household/email", {
        "email": "bad", "current_password": PASSWORD, "_shown_error": unescape(shown[0]), "switch_language": "es"})
    assert switched.headers["location"] == "/household/email"
    page = await portal.get("/household/email")
    assert page.status_code == 200 and re.search(r'<html lang="es"', page.text)
    text = page_text(page.text)
    assert "Hay un problema" in text and "Escriba un correo electrónico con el formato correcto" in text
    assert value_of(page.text, "email") == "bad" and 'aria-invalid="true"' in page.text
    assert "Hay un problema" not in page_text((await portal.get("/household/email")).text)  # once


@pytest.mark.parametrize("shown", ['["email", "%(missing)s", {}]', "not json", '["email", 5, {}]',
                                   '["email", "Enter your new email address", {"x": {"y": 1}}]'])
async def test_an_error_no_page_could_show_is_dropped(portal, rosa, shown):
    await portal.log_in("RosaR", PASSWORD)
    await portal.post("/language?back=/household/email", {"email": "x", "_shown_error": shown,
                                                          "switch_language": "es"})
    page = await portal.get("/household/email")
    assert page.status_code == 200 and "Hay un problema" not in page_text(page.text)
    assert value_of(page.text, "email") == "x"


async def test_the_switchers_own_form_carries_the_errors_for_javascript(portal, rosa):
    """With JavaScript on, the switcher's own form is sent (app.js keeps the typing in the tab) and app.js adds
    the page's errors to it."""
    await portal.log_in("RosaR", PASSWORD)
    sent = await portal.post("/language", {"language": "es", "next": "/household/email",
                                           "_shown_error": '["email", "Enter your new email address", {}]'})
    assert sent.headers["location"] == "/household/email"
    assert "Hay un problema" in page_text((await portal.get("/household/email")).text)


# --- a retester's findings on the errors kept (an attacker's), each failed before its fix --------------------------

@pytest.mark.parametrize("shown", [
    '["email", "%100000000s", {}]',  # a 100 MB page, kept in the translation cache for good
    '["email", "%(x)99999999s", {"x": "a"}]',
    '["email", "<a id=\\"pwn\\" href=\\"https://evil.example/\\">Your account is locked: call 1-900-555-0100</a>", {}]',
    '["email", "You can keep at most %(most)d phone numbers. Remove one first", {"most": 1e400}]',  # inf: an OverflowError, a 500
    '["email", "You can keep at most %(most)d phone numbers. Remove one first", {"most": "' + "9" * 300 + '"}]',
])
async def test_only_a_message_of_the_portals_with_sensible_params_comes_back(portal, district, shown):
    sent = await portal.post("/language?back=/forgot-password", {"identifier": "x", "_shown_error": shown,
                                                                "switch_language": "es"})
    assert sent.status_code == 303
    page = await portal.get("/forgot-password")
    assert page.status_code == 200 and len(page.text) < 100_000
    assert 'id="pwn"' not in page.text and "Hay un problema" not in page_text(page.text)


async def test_a_day_in_a_kept_error_is_written_in_the_new_language(portal, rosa):
    """The absence form's "Choose a date from Tue, Nov 24 ..." came back as "Elija una fecha del Tue, Nov 24":
    days go as {"$day": ...} and are written again in the language switched to."""
    from datetime import date

    from app.i18n import ShownDay
    from app.rules.errors import FieldError
    from app.templating import show_errors, shown_errors

    show_errors([FieldError("first_day", "Choose a date from %(earliest)s to %(latest)s",
                            {"earliest": ShownDay.of(date(2026, 11, 24)), "latest": ShownDay.of(date(2026, 12, 31))})])
    [shown] = shown_errors()
    assert '"$day": "2026-11-24"' in shown
    await portal.log_in("RosaR", PASSWORD)
    await portal.post("/language?back=/household/email", {"email": "x", "_shown_error": shown,
                                                          "switch_language": "es"})
    text = page_text((await portal.get("/household/email")).text)
    assert "Hay un problema" in text and "24 de noviembre" in text and "Nov 24" not in text


async def test_the_switchs_address_opened_again_leads_back_to_its_page(portal, district):
    """A tester reloaded the "This form has expired" page a switch had answered (/language?back=...): a 405."""
    again = await portal.get("/language?back=%2Frequest-key")
    assert again.status_code == 303 and again.headers["location"] == "/request-key"
    assert (await portal.get("/language")).headers["location"] == "/"
    assert (await portal.get("/language?back=//evil.example")).headers["location"] == "/"


async def test_an_expired_switch_starts_again_on_its_page(portal, district):
    """Signing in or out in another tab ends the session the page's form token belonged to: the switch answers
    "This form has expired", whose Start again (and a reload) now lead back to the page, not to the start."""
    await portal.get("/request-key")
    expired = await portal.post("/language?back=%2Frequest-key", {"student_number": "1", "switch_language": "es",
                                                                  "_csrf_token": "not-this-sessions"}, csrf=False)
    assert expired.status_code == 403
    start_again = re.search(r'href="(/language\?back=[^"]+)"', expired.text).group(1)
    assert (await portal.get(unescape(start_again))).headers["location"] == "/request-key"


async def test_the_account_pages_email_choices_are_the_form_kept(portal, rosa):
    """A tester's find: on the account page the language choice (radios, which the switch itself settles) was the
    form sent, so the email choices typed below it were lost. A choice is not typing: the first form with a field
    to type in is sent; a box left unticked is kept unticked (its hidden empty field)."""
    await portal.log_in("RosaR", PASSWORD)
    page = await portal.get("/account")
    typed_form = re.search(r'<form method="post" action="([^"]+)" id="typed-form"', page.text).group(1)
    assert typed_form == "/account/alerts"
    sent = await portal.post("/language?back=/account", [
        ("absence_alerts", "on"), ("absence_alerts", ""), ("digest", ""), ("digest_missing_work", "on"),
        ("digest_missing_work", ""), ("digest_grades", ""), ("digest_day", "friday"), ("grade_threshold", "B"),
        ("quiet_start", "21:00"), ("quiet_end", "07:00"), ("switch_language", "es")])
    assert sent.status_code == 303
    again = (await portal.get("/account")).text
    assert value_of(again, "grade-threshold") == "B" and value_of(again, "quiet-start") == "21:00"
    assert re.search(r'id="absence-alerts"[^>]*checked', again) and not re.search(r'id="digest"[^>]*checked', again)
    assert re.search(r'<option value="friday" selected>', again)
