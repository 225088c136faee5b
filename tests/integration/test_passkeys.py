"""Passkeys (issue 14): adding one needs the current password and tells the parent; signing in with one
starts a new session and is recorded; py_webauthn's checks refuse a replayed, tampered, unverified or
unknown answer, and a disabled account; bad input never gets a 500. The JSON routes are what
static/js/passkeys.js calls; tests/browser/test_passkeys.py drives the same with Chromium's virtual
authenticator."""

from __future__ import annotations

import json

import pytest

from tests.integration.district import PASSWORD, make_account
from tests.integration.portal import page_text
from tests.integration.test_staff_console import STAFF_PASSWORD
from tests.webauthn_soft import PRESENT, SoftPasskey

JSON = {"Accept": "application/json"}


@pytest.fixture
async def sam(district) -> int:
    return await make_account(district.guardian("sam"), "SamPark")


async def events(action: str) -> list[dict]:
    from app.tables import AuditEvent

    return await AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id)


async def post_json(portal, url: str, body: str):
    return await portal.client.post(url, content=body, headers={**JSON, "Content-Type": "application/json",
                                                                "X-CSRFToken": await portal.csrf_token()})


async def add_passkey(portal, passkey: SoftPasskey, password: str = PASSWORD):
    options = await portal.post("/account/passkeys/options", {"current_password": password}, headers=JSON)
    assert options.status_code == 201 or options.status_code == 200, options.text
    return await post_json(portal, "/account/passkeys/verify", passkey.create(options.json()))


async def passkey_sign_in(portal, passkey: SoftPasskey, **answer):
    options = await portal.post("/sign-in/passkey/options", headers=JSON)
    return await post_json(portal, "/sign-in/passkey/verify", passkey.get(options.json(), **answer))


async def test_a_parent_adds_a_passkey_and_signs_in_with_it(portal, second_portal, sam, deliver):
    await portal.log_in("SamPark", PASSWORD)
    await deliver()
    passkey = SoftPasskey()
    wrong = await portal.post("/account/passkeys/options", {"current_password": "nope"}, headers=JSON)
    assert wrong.status_code == 422 and "current password is not right" in wrong.json()["error"]
    options = await portal.post("/account/passkeys/options", {"current_password": PASSWORD}, headers=JSON)
    body = options.json()
    assert body["rp"]["id"] == "portal.test" and body["authenticatorSelection"]["userVerification"] == "required"
    added = await post_json(portal, "/account/passkeys/verify", passkey.create(body))
    assert added.json() == {"redirect": "/account/passkeys?notice=added"}
    assert len(await events("passkey.added")) == 1
    assert "A passkey was added" in (await deliver())[0].text
    assert "Added " in page_text((await portal.get("/account/passkeys")).text)

    page = await second_portal.get("/sign-in/passkey")
    assert page.status_code == 200 and "/static/js/passkeys.js" in page.text
    before = second_portal.session_cookie
    signed_in = await passkey_sign_in(second_portal, passkey)
    assert signed_in.json() == {"redirect": "/home"}
    assert second_portal.session_cookie and second_portal.session_cookie != before
    assert (await second_portal.get("/home")).status_code == 200
    assert [e["detail"] for e in await events("login.succeeded")][-1] == "passkey"
    assert "Logged in with a passkey" in page_text((await second_portal.get("/account")).text)


async def test_the_login_page_does_not_load_the_passkey_script(portal, sam):
    login = await portal.get("/")
    assert 'href="/sign-in/passkey"' in login.text and "passkeys.js" not in login.text


async def test_replayed_tampered_unverified_and_unknown_answers_are_refused(portal, second_portal, sam):
    await portal.log_in("SamPark", PASSWORD)
    passkey = SoftPasskey()
    await add_passkey(portal, passkey)

    options = await second_portal.post("/sign-in/passkey/options", headers=JSON)
    answer = passkey.get(options.json())
    assert (await post_json(second_portal, "/sign-in/passkey/verify", answer)).status_code == 201
    await second_portal.log_out()
    replay = await post_json(second_portal, "/sign-in/passkey/verify", answer)  # the challenge was used up
    assert replay.status_code == 400 and (await second_portal.get("/home")).status_code == 303

    for bad in ({"tamper": True}, {"flags": PRESENT}):
        response = await passkey_sign_in(second_portal, passkey, **bad)
        assert response.status_code == 400 and "not known here" in response.json()["error"]
    assert (await passkey_sign_in(second_portal, SoftPasskey())).status_code == 400  # a stranger's key
    assert (await second_portal.get("/home")).status_code == 303
    assert len(await events("passkey.refused")) == 3


async def test_a_passkey_made_for_another_site_is_refused(portal, sam):
    await portal.log_in("SamPark", PASSWORD)
    response = await add_passkey(portal, SoftPasskey(origin="https://evil.example", rp_id="evil.example"))
    assert response.status_code == 400
    assert not await events("passkey.added")


@pytest.mark.parametrize("body", ["", "not json", "{}", '{"id": 5}', json.dumps({"id": "x" * 5000}),
                                  "x" * 30000, '{"id": "abc", "response": {}}'])
async def test_garbage_answers_get_a_clear_error_never_a_500(portal, sam, body):
    await portal.post("/sign-in/passkey/options", headers=JSON)
    assert (await post_json(portal, "/sign-in/passkey/verify", body)).status_code == 400
    await portal.log_in("SamPark", PASSWORD)
    await portal.post("/account/passkeys/options", {"current_password": PASSWORD}, headers=JSON)
    assert (await post_json(portal, "/account/passkeys/verify", body)).status_code == 400


async def test_without_javascript_the_pages_say_what_a_passkey_needs(portal, sam):
    await portal.log_in("SamPark", PASSWORD)
    page = await portal.post("/account/passkeys/options", {"current_password": PASSWORD})
    assert page.status_code == 422 and "needs JavaScript" in page_text(page.text)
    assert (await portal.post("/sign-in/passkey/options")).headers["location"] == "/sign-in/passkey"


async def test_a_disabled_account_cannot_use_its_passkey_and_removal_needs_the_password(
        portal, second_portal, sam, deliver):
    from app.tables import Passkey, UserAccount

    await portal.log_in("SamPark", PASSWORD)
    passkey = SoftPasskey()
    await add_passkey(portal, passkey)
    await deliver()
    [stored] = await Passkey.select(Passkey.id)
    refused = await portal.post("/account/passkeys/remove", {"passkey": str(stored["id"]), "remove_password": "no"})
    assert refused.status_code == 422 and await Passkey.count() == 1
    removed = await portal.post("/account/passkeys/remove", {"passkey": str(stored["id"]),
                                                              "remove_password": PASSWORD})
    assert removed.headers["location"] == "/account/passkeys?notice=removed" and await Passkey.count() == 0
    assert "A passkey was removed" in (await deliver())[0].text

    await add_passkey(portal, passkey)
    await UserAccount.update({UserAccount.disabled: True}).where(UserAccount.id == sam)
    assert (await passkey_sign_in(second_portal, passkey)).status_code == 400


async def test_a_district_admin_signs_in_with_a_passkey_instead_of_password_and_code(portal, second_portal, admin):
    from tests.integration.test_staff_console import as_staff

    await as_staff(portal, "DistrictAdmin")
    passkey = SoftPasskey()
    assert (await add_passkey(portal, passkey, STAFF_PASSWORD)).status_code == 201
    assert (await passkey_sign_in(second_portal, passkey)).json() == {"redirect": "/staff"}
    assert (await second_portal.get("/staff")).status_code == 200
