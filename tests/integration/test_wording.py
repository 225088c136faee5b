"""Issue 13 item 10, wording and US conventions: a Back link at the top of each question page (GOV.UK's back
link, a plain link that works without JavaScript), the help number as one unbreakable tel: link, and the
key-by-phone warning once per screen."""

from __future__ import annotations

import re

import pytest

from tests.integration.district import PASSWORD, make_account


def back_link_before_h1(html: str) -> str:
    main = html[html.index("<main"):]
    found = re.search(r'<p class="back-link"><a href="([^"]*)">', main)
    assert found and found.start() < main.index("<h1"), "no Back link above the page's heading"
    return found.group(1)


@pytest.mark.parametrize(("page", "back"), [
    ("/forgot-password", "/"), ("/forgot-username", "/"), ("/request-key", "/"), ("/activate", "/")])
async def test_public_question_pages_start_with_a_back_link(portal, district, page, back):
    response = await portal.get(page)
    assert response.status_code == 200
    assert back_link_before_h1(response.text) == back


async def test_the_back_link_is_in_the_visitors_language(portal, district):
    page = await portal.get("/forgot-password?lang=es")
    assert '<p class="back-link"><a href="/">Volver</a></p>' in page.text


async def test_signed_in_question_pages_go_back_to_where_they_came_from(portal, district):
    await make_account(district.guardian("rosa"), "RosaR")
    assert (await portal.log_in("RosaR", PASSWORD)).status_code == 303
    for page, back in (("/household/phones/new", "/household"), ("/household/email", "/household"),
                       ("/account/password", "/account")):
        response = await portal.get(page)
        assert response.status_code == 200, page
        assert back_link_before_h1(response.text) == back, page


async def test_the_help_number_in_a_sentence_is_a_link_that_does_not_wrap(portal, district):
    page = (await portal.get("/request-key/limit")).text
    main = page[page.index("<main"):page.index("</main>")]
    assert re.search(r'<a href="tel:\+1\d{10}">\(\d{3}\) \d{3}-\d{4}</a>', main)
    css = (await portal.get(re.search(r'href="(/static/css/site[^"]*)"', page).group(1))).text
    assert 'a[href^="tel:"]{white-space:nowrap}' in css


@pytest.mark.parametrize("page", ["/", "/request-key"])
async def test_keys_are_never_given_over_the_phone_is_said_once(portal, district, page):
    text = (await portal.get(page)).text
    assert text.count("never given over the phone") == 1
