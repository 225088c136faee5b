"""Issue 13 item 4: a parent interrupted mid-form. The session's end sends them to the login page, which
brings them back to the page they were on (a path of this site only); "Stay logged in" keeps the session;
an expired wizard step says so."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.integration.district import PASSWORD, issue_key, make_account
from tests.integration.portal import page_text


@pytest.fixture
async def rosa(district) -> int:
    return await make_account(district.guardian("rosa"), "RosaR")


def next_of(location: str) -> str | None:
    values = parse_qs(urlsplit(location).query).get("next")
    return values[0] if values else None


async def test_a_form_sent_after_the_idle_limit_returns_to_its_page_after_signing_in(portal, rosa, clock):
    await portal.log_in("RosaR", PASSWORD)
    assert (await portal.get("/household/phones/new")).status_code == 200
    clock.advance(minutes=31)
    sent = await portal.post("/household/phones/new", {"number": "404-555-0150", "current_password": PASSWORD})
    assert sent.status_code == 303
    # Without JavaScript what was sent is lost with the session, and the login page says so.
    assert sent.headers["location"] == "/?notice=form-not-sent&next=%2Fhousehold%2Fphones%2Fnew"
    login = await portal.get(sent.headers["location"])
    assert "Your session ended, so what you just sent was not saved." in page_text(login.text)
    assert '<input type="hidden" name="next" value="/household/phones/new">' in login.text
    back = await portal.post("/", {"username": "RosaR", "password": PASSWORD, "next": "/household/phones/new"})
    assert back.status_code == 303 and back.headers["location"] == "/household/phones/new"


@pytest.mark.parametrize("form, page", [
    ("/household/verify", "/household"), ("/account/alerts", "/account"), ("/account/language", "/account"),
    ("/account/sign-out-everywhere", "/account")])
async def test_a_form_posting_where_no_page_is_returns_to_the_nearest_page_above_it(portal, rosa, clock, form, page):
    """A retester's find: the form's own address was the way back, and after signing in a form posting to an address
    with no page of its own (the household's "this is correct", the account's email choices) ended on a 405."""
    await portal.log_in("RosaR", PASSWORD)
    clock.advance(minutes=31)
    sent = await portal.post(form, {})
    assert next_of(sent.headers["location"]) == page
    back = await portal.post("/", {"username": "RosaR", "password": PASSWORD, "next": page})
    assert back.headers["location"] == page and (await portal.get(page)).status_code == 200


async def test_with_htmx_the_page_in_the_address_bar_is_the_one_to_return_to(portal, rosa, clock):
    await portal.log_in("RosaR", PASSWORD)
    clock.advance(minutes=31)
    sent = await portal.post("/household/address", {"address_line1": "1 Main St"}, htmx=True,
                             headers={"HX-Current-URL": "http://portal.test/household/address?from=card"})
    assert sent.headers["hx-redirect"] == "/?notice=session-ended&next=%2Fhousehold%2Faddress%3Ffrom%3Dcard"


async def test_a_bookmarked_page_opened_signed_out_comes_back_after_signing_in(portal, rosa):
    opened = await portal.get("/account")
    assert opened.status_code == 303 and opened.headers["location"] == "/?next=%2Faccount"
    assert (await portal.post("/", {"username": "RosaR", "password": PASSWORD, "next": "/account"})).headers[
        "location"] == "/account"


@pytest.mark.parametrize("next_path", [
    "https://evil.example/", "//evil.example", "/\\evil.example", "\\\\evil.example", "http:/evil.example",
    "javascript:alert(1)", "evil.example", "/\t/evil.example", "/\r\nLocation: https://evil.example",
    "/logout", "/", "/?notice=signed-out",
])
async def test_signing_in_never_leaves_the_site(portal, rosa, next_path):
    page = await portal.get("/?" + urlencode({"next": next_path}))
    main = page.text.split("<main", 1)[1]
    assert 'name="next"' not in main  # nothing to come back to: the login form carries no destination
    response = await portal.post("/", {"username": "RosaR", "password": PASSWORD, "next": next_path})
    assert response.status_code == 303
    assert response.headers["location"] == "/home"


async def test_an_encoded_line_break_stays_an_address_on_this_site(portal, rosa):
    response = await portal.post("/", {"username": "RosaR", "password": PASSWORD,
                                       "next": "/%0d%0aLocation:%20https://evil.example"})
    assert response.headers["location"] == "/%0d%0aLocation:%20https://evil.example"  # a page not found here
    assert "\r" not in response.headers["location"] and "\n" not in response.headers["location"]


async def test_a_failed_sign_in_keeps_the_page_to_return_to(portal, rosa):
    failed = await portal.post("/", {"username": "RosaR", "password": "wrong", "next": "/household"})
    assert failed.status_code == 422
    assert '<input type="hidden" name="next" value="/household">' in failed.text


async def test_stay_logged_in_keeps_the_session_alive(portal, rosa, clock):
    await portal.log_in("RosaR", PASSWORD)
    page = await portal.get("/household")
    assert 'id="idle-warning"' in page.text and 'data-idle-seconds="1800"' in page.text
    clock.advance(minutes=26)  # the warning shows 5 minutes before the limit
    assert (await portal.get("/session/alive")).status_code == 200
    clock.advance(minutes=26)
    assert (await portal.get("/household")).status_code == 200
    clock.advance(minutes=31)
    gone = await portal.get("/session/alive")
    assert gone.status_code == 303 and gone.headers["location"].startswith("/?notice=session-ended")


async def test_no_idle_warning_for_visitors_not_signed_in(portal, district):
    assert 'id="idle-warning"' not in (await portal.get("/")).text


async def test_an_expired_activation_step_says_so(portal, district, clock):
    key = await issue_key(district.guardian("rosa"))
    assert (await portal.post("/activate", {"activation_key": key})).headers["location"] == "/activate/account"
    clock.advance(minutes=31)
    response = await portal.post("/activate/account", {"username": "RosaR", "password": PASSWORD,
                                                       "verify_password": PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/activate?notice=step-expired"
    page = await portal.get(response.headers["location"])
    assert "Enter your activation key again" in page_text(page.text)
    spanish = await portal.get(response.headers["location"], headers={"Accept-Language": "es"})
    assert "Escriba otra vez su clave de activación" in page_text(spanish.text)
