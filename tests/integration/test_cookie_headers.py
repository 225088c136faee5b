"""Issue 9, item 6: the Cookie header is parsed by the framework's parser, so the cookies real browsers
send alongside the portal's (other apps' on the same domain, quotes, spaces, duplicates) never sign the
parent out. SimpleCookie dropped the whole header over `greeting=hello world`."""

from __future__ import annotations

import pytest

from tests.integration import leaks
from tests.integration.district import PASSWORD, make_account
from tests.integration.portal import CSRF_COOKIE, SESSION_COOKIE

HEADERS = [
    "greeting=hello world; {session}",
    "{session}; greeting=hello world",
    '_ga=GA1.2.1234567890.1700000000; theme="dark mode"; {session}; _gid=GA1.2.99',
    'prefs={{"a": 1, "b": [2, 3]}}; {session}',
    'unterminated="half; {session}',
    "a=b=c; =novalue; flag; empty=; {session}",
    "tracking=%E2%9C%93%20ok; {session};",
    "  {session}  ;  other = spaced value  ",
    "homeroom_session=stale-from-another-path; {session}",
    "{session}; homeroom_session=stale-from-another-path",
    "lang=es; {session}; lang=en",
]


@pytest.fixture
async def session_value(portal, district) -> str:
    await make_account(district.guardian("sam"), "SamPark")
    assert (await portal.log_in("SamPark", PASSWORD)).status_code == 303
    value = portal.session_cookie
    leaks.remember(value, leaks.SESSION)
    portal.forget_cookie(SESSION_COOKIE)
    portal.forget_cookie(CSRF_COOKIE)
    return value


@pytest.mark.parametrize("header", HEADERS)
async def test_other_cookies_in_the_header_never_sign_the_parent_out(portal, session_value, header):
    cookie = header.format(session=f"{SESSION_COOKIE}={session_value}")
    response = await portal.client.get("/home", headers={"Cookie": cookie})
    assert response.status_code == 200, cookie
    assert "Cleo Park" in response.text


@pytest.mark.parametrize("header", ['greeting=hello world; lang=es', 'theme="dark mode"; lang=es; x=a=b'])
async def test_the_language_cookie_survives_other_cookies(portal, header):
    response = await portal.client.get("/forgot-password", headers={"Cookie": header})
    assert response.status_code == 200
    assert '<html lang="es"' in response.text
