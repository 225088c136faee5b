"""Issue 9, item 1: every step that raises what a session can do starts a new session and ends the old
one (an activation key accepted, a reset or email-confirmation link opened, sign-in, sign-out); a link
that leads nowhere writes no session; one account holds at most SESSIONS_PER_ACCOUNT live sessions."""

from __future__ import annotations

import re

from tests.integration import leaks
from tests.integration.district import PASSWORD, issue_key, make_account
from tests.integration.portal import SESSION_COOKIE


async def planted_session(attacker, victim) -> str:
    """The attacker gets a real anonymous session (by entering a key of their own) and plants its cookie
    in the victim's browser, as someone at a shared computer could."""
    from app.tables import Person

    attacker_guardian = await Person.objects().where(Person.given_name == "Luis").first()
    own_key = await issue_key(attacker_guardian)
    response = await attacker.post("/activate", {"activation_key": own_key})
    assert response.status_code == 303
    planted = attacker.session_cookie
    assert planted
    victim.set_session_cookie(planted)
    return planted


async def session_rows() -> int:
    from app.tables import WebSession

    return await WebSession.count()


async def test_an_accepted_activation_key_starts_a_new_session_the_planter_cannot_use(
        portal, second_portal, district):
    planted = await planted_session(second_portal, portal)
    victim_key = await issue_key(district.guardian("rosa"))
    response = await portal.post("/activate", {"activation_key": victim_key})
    assert response.status_code == 303 and response.headers["location"] == "/activate/account"
    assert portal.session_cookie and portal.session_cookie != planted
    leaks.remember(portal.session_cookie, leaks.SESSION)
    # The planted session is over: the attacker is back at step 1 and cannot finish the victim's wizard.
    step_two = await second_portal.get("/activate/account")
    assert step_two.status_code == 303 and step_two.headers["location"].startswith("/activate")
    assert not step_two.headers["location"].startswith("/activate/account")
    created = await second_portal.post("/activate/account", {
        "username": "Attacker", "password": "Attacker pass 1", "verify_password": "Attacker pass 1"})
    assert created.status_code == 303 and created.headers["location"].startswith("/activate")
    assert not created.headers["location"].startswith("/activate/account")
    # The victim carries on in the new session.
    assert (await portal.get("/activate/account")).status_code == 200


async def test_an_opened_reset_link_starts_a_new_session_the_planter_cannot_use(
        portal, second_portal, district, deliver):
    await make_account(district.guardian("sam"), "SamPark")
    planted = await planted_session(second_portal, portal)
    await portal.post("/forgot-password", {"identifier": "SamPark"})
    [mail] = await deliver()
    link = re.search(r"http://portal\.test(/reset/([A-Za-z0-9_-]+))", mail.text)
    leaks.remember(link.group(2), leaks.TOKEN)
    opened = await portal.get(link.group(1))
    assert opened.status_code == 303 and opened.headers["location"] == "/reset"
    assert portal.session_cookie and portal.session_cookie != planted
    leaks.remember(portal.session_cookie, leaks.SESSION)
    assert (await second_portal.get("/reset")).status_code == 410
    hijack = await second_portal.post("/reset", {"password": "Attacker pass 1", "verify_password": "Attacker pass 1"})
    assert hijack.status_code == 410
    assert (await portal.get("/reset")).status_code == 200


async def test_an_opened_email_link_starts_a_new_session_and_a_signed_in_parent_stays_signed_in(
        portal, second_portal, district, deliver):
    await make_account(district.guardian("sam"), "SamPark")
    assert (await portal.log_in("SamPark", PASSWORD)).status_code == 303
    before = portal.session_cookie
    await portal.post("/household/email", {"email": "sam.new@example.org", "current_password": PASSWORD})
    mails = await deliver()
    [confirm] = [m for m in mails if m.to == "sam.new@example.org"]
    link = re.search(r"http://portal\.test(/email/confirm/([A-Za-z0-9_-]+))", confirm.text)
    leaks.remember(link.group(2), leaks.TOKEN)
    opened = await portal.get(link.group(1))
    assert opened.status_code == 303
    assert portal.session_cookie != before
    leaks.remember(portal.session_cookie, leaks.SESSION)
    assert (await portal.get("/home")).status_code == 200  # still signed in, in the new session
    second_portal.set_session_cookie(before)
    assert (await second_portal.get("/email/confirm")).status_code != 200  # the old cookie is dead
    assert (await portal.get("/email/confirm")).status_code == 200


async def test_an_email_link_opened_with_a_planted_cookie_leaves_the_planter_nothing(
        portal, second_portal, district, deliver):
    await make_account(district.guardian("sam"), "SamPark")
    assert (await portal.log_in("SamPark", PASSWORD)).status_code == 303
    await portal.post("/household/email", {"email": "sam.new@example.org", "current_password": PASSWORD})
    mails = await deliver()
    [confirm] = [m for m in mails if m.to == "sam.new@example.org"]
    link = re.search(r"http://portal\.test(/email/confirm/([A-Za-z0-9_-]+))", confirm.text)
    leaks.remember(link.group(2), leaks.TOKEN)
    await portal.log_out()
    planted = await planted_session(second_portal, portal)
    assert (await portal.get(link.group(1))).status_code == 303
    assert portal.session_cookie != planted
    leaks.remember(portal.session_cookie, leaks.SESSION)
    assert (await second_portal.post("/email/confirm")).status_code == 410


async def test_links_that_lead_nowhere_write_no_session(portal):
    portal.forget_cookie(SESSION_COOKIE)
    for n in range(100):
        assert (await portal.get(f"/reset/made-up-{n}")).status_code == 303
        assert (await portal.get(f"/email/confirm/made-up-{n}")).status_code == 303
        assert portal.session_cookie is None
    assert await session_rows() == 0
    assert (await portal.get("/reset")).status_code == 410


async def test_a_wrong_activation_key_writes_no_session(portal, district):
    for n in range(5):
        await portal.post("/activate", {"activation_key": "A" * 32})
    assert await session_rows() == 0


async def test_one_account_keeps_at_most_ten_live_sessions_and_the_oldest_end(database, district):
    from app.services.sessions import SESSIONS_PER_ACCOUNT, load_session
    from app.services.sign_in import sign_in
    from app.tables import WebSession

    account = await make_account(district.guardian("sam"), "SamPark")
    tokens = []
    for n in range(SESSIONS_PER_ACCOUNT + 5):
        result = await sign_in("SamPark", PASSWORD, ip="127.0.0.1", user_agent=f"device {n}", previous_session=None)
        tokens.append(leaks.remember(result.session_token, leaks.SESSION))
    assert await WebSession.count().where(WebSession.account == account) == SESSIONS_PER_ACCOUNT
    alive = [(await load_session(t))[0] is not None for t in tokens]
    assert alive == [False] * 5 + [True] * SESSIONS_PER_ACCOUNT


async def test_a_right_password_before_the_second_step_starts_a_new_session_the_planter_cannot_use(
        portal, second_portal, district):
    """Found by an attack on the merged portal: the pending second step (issue 14) was written into the
    planted session, so the planter could open /sign-in/enrol, set up their own app and sign in as staff."""
    from app.services.staff_accounts import create_staff_account
    from tests.integration.test_staff_console import STAFF_PASSWORD

    assert await create_staff_account("NewClerk", STAFF_PASSWORD, "school-staff", "sch-maple") == []
    planted = await planted_session(second_portal, portal)
    response = await portal.log_in("NewClerk", STAFF_PASSWORD, second_step=False)
    assert response.status_code == 303 and response.headers["location"] == "/sign-in/enrol"
    assert portal.session_cookie and portal.session_cookie != planted
    leaks.remember(portal.session_cookie, leaks.SESSION)
    stolen = await second_portal.get("/sign-in/enrol")
    assert stolen.status_code != 200 and "secret" not in stolen.text
    assert (await portal.get("/sign-in/enrol")).status_code == 200  # the person signing in carries on
