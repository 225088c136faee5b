"""Forgot Your Password? (docs/design.md §4.5; docs/security.md E1-E7): one reply whatever happened, a link built
from HOMEROOM_PUBLIC_URL that works once, expires and is superseded, and a reset that ends every session."""

from __future__ import annotations

import re

import pytest

from tests.integration import leaks
from tests.integration.district import OTHER_PASSWORD, PASSWORD, SHARED_EMAIL, make_account
from tests.integration.portal import error_messages, page_text

LINK = re.compile(r"(http://portal\.test/reset/)([A-Za-z0-9_-]+)")


def reset_link(mail) -> str:
    found = LINK.search(mail.text)
    assert found, mail.text
    leaks.remember(found.group(2), leaks.TOKEN)
    assert found.group(0) in mail.html
    return found.group(0)


def path_of(link: str) -> str:
    return link.removeprefix("http://portal.test")


@pytest.fixture
async def sam(district) -> int:
    return await make_account(district.guardian("sam"), "SamPark")


async def ask_for_link(portal, identifier, **kwargs):
    data = identifier if isinstance(identifier, list) else {"identifier": identifier}
    return await portal.post("/forgot-password", data, **kwargs)


async def choose_password(portal, link: str, password: str = OTHER_PASSWORD):
    opened = await portal.get(path_of(link))
    assert opened.status_code == 303
    assert opened.headers["location"] == "/reset"  # the token leaves the address bar at once
    return await portal.post("/reset", {"password": password, "verify_password": password})


def comparable(response) -> tuple:
    headers = sorted((k, v) for k, v in response.headers.items() if k not in ("date", "set-cookie", "content-length"))
    return response.status_code, headers, response.text


async def test_the_reply_is_the_same_for_known_and_unknown_usernames_and_addresses(portal, district, sam,
                                                                                   deliver):
    replies = [comparable(await ask_for_link(portal, identifier))
               for identifier in ("SamPark", "NobodyHere", "sam.park@example.org", "nobody@example.org")]
    assert all(reply == replies[0] for reply in replies)
    assert replies[0][0] == 303
    assert dict(replies[0][1])["location"] == "/forgot-password/sent"
    sent = await portal.get("/forgot-password/sent")
    assert "If an account matches" in page_text(sent.text)
    mails = await deliver()
    assert [m.to for m in mails] == ["sam.park@example.org", "sam.park@example.org"]


async def test_the_emailed_link_resets_the_password_once(portal, district, sam, deliver):
    from app.tables import AuditEvent

    await ask_for_link(portal, "sampark")
    [mail] = await deliver()
    assert mail.to == "sam.park@example.org"
    assert mail.subject == "Reset your Campus Portal password"
    link = reset_link(mail)
    form = await portal.get("/reset")
    assert form.status_code == 200 and "New Password" in page_text(form.text) or "Password" in form.text
    done = await choose_password(portal, link)
    assert done.status_code == 303
    assert done.headers["location"] == "/?notice=password-changed"
    assert "Your password has been changed" in (await portal.get(done.headers["location"])).text

    assert (await portal.log_in("SamPark", PASSWORD)).status_code == 422
    assert (await portal.log_in("SamPark", OTHER_PASSWORD)).status_code == 303
    await portal.log_out()

    again = await portal.get(path_of(link))
    assert again.headers["location"] == "/reset"
    gone = await portal.get("/reset")
    assert gone.status_code == 410
    assert await AuditEvent.exists().where(AuditEvent.action == "password-reset.completed")


async def test_a_password_changed_notice_is_emailed_after_a_reset(portal, district, sam, deliver):
    await ask_for_link(portal, "SamPark")
    [mail] = await deliver()
    await choose_password(portal, reset_link(mail))
    [notice] = await deliver()
    assert notice.to == "sam.park@example.org"
    assert notice.subject == "Your Campus Portal password was changed"
    assert "SamPark" in notice.text


async def test_the_link_is_built_from_the_public_url_whatever_the_request_says(portal, district, sam, deliver):
    forged = await ask_for_link(portal, "SamPark", headers={"X-Forwarded-Host": "evil.example",
                                                            "X-Forwarded-Proto": "https",
                                                            "Forwarded": "host=evil.example"})
    assert forged.status_code == 303
    [mail] = await deliver()
    assert reset_link(mail).startswith("http://portal.test/reset/")
    assert "evil" not in mail.text and "evil" not in mail.html


@pytest.mark.parametrize("host", ["evil.example", "portal.test.evil.example", "portal.test:dr.frankenstein@evil.tld"])
async def test_a_forged_host_header_is_refused(portal, district, sam, deliver, host):
    response = await ask_for_link(portal, "SamPark", headers={"Host": host})
    assert response.status_code == 400
    assert await deliver() == []


async def test_the_link_expires(portal, district, sam, deliver, clock):
    await ask_for_link(portal, "SamPark")
    [mail] = await deliver()
    clock.advance(minutes=60, seconds=1)
    opened = await portal.get(path_of(reset_link(mail)))
    assert opened.headers["location"] == "/reset"
    assert (await portal.get("/reset")).status_code == 410
    assert (await portal.post("/reset", {"password": OTHER_PASSWORD, "verify_password": OTHER_PASSWORD})
            ).status_code == 410
    assert (await portal.log_in("SamPark", PASSWORD)).status_code == 303


async def test_the_link_expires_even_when_opened_in_time(portal, district, sam, deliver, clock):
    await ask_for_link(portal, "SamPark")
    [mail] = await deliver()
    clock.advance(minutes=59)
    await portal.get(path_of(reset_link(mail)))
    assert (await portal.get("/reset")).status_code == 200
    clock.advance(minutes=2)
    late = await portal.post("/reset", {"password": OTHER_PASSWORD, "verify_password": OTHER_PASSWORD})
    assert late.status_code == 410


async def test_a_newer_link_supersedes_the_older_one(portal, district, sam, deliver):
    await ask_for_link(portal, "SamPark")
    [first] = await deliver()
    await ask_for_link(portal, "sam.park@example.org")
    [second] = await deliver()
    old, new = reset_link(first), reset_link(second)
    assert old != new
    await portal.get(path_of(old))
    assert (await portal.get("/reset")).status_code == 410
    assert (await choose_password(portal, new)).status_code == 303


async def test_a_reset_ends_every_other_session(portal, second_portal, district, sam, deliver):
    assert (await second_portal.log_in("SamPark", PASSWORD)).status_code == 303
    assert (await second_portal.get("/home")).status_code == 200
    await ask_for_link(portal, "SamPark")
    [mail] = await deliver()
    await choose_password(portal, reset_link(mail))
    ended = await second_portal.get("/home")
    assert ended.status_code == 303
    assert ended.headers["location"] == "/?notice=session-ended&next=%2Fhome"


async def test_opening_a_link_never_leaves_the_token_in_a_location(portal, district, sam, deliver):
    await ask_for_link(portal, "SamPark")
    [mail] = await deliver()
    link = reset_link(mail)
    token = link.rsplit("/", 1)[1]
    opened = await portal.get(path_of(link))
    assert token not in opened.headers["location"]
    assert opened.headers["referrer-policy"] == "no-referrer"


async def test_a_reset_password_follows_the_password_rules(portal, district, sam, deliver):
    await ask_for_link(portal, "SamPark")
    [mail] = await deliver()
    await portal.get(path_of(reset_link(mail)))
    for password, verify, message in [
        ("short", "short", "Password must be at least 6 characters long"),
        ("iloveyou", "iloveyou", "This password is too common: it is on a list of passwords that attackers try first"),
        ("my sampark place", "my sampark place", "Password must not contain your username"),
        (OTHER_PASSWORD, OTHER_PASSWORD + "x", "The two passwords are not the same. Type the same password in both boxes"),
    ]:
        response = await portal.post("/reset", {"password": password, "verify_password": verify})
        assert response.status_code == 422
        assert error_messages(response.text) == [message]
    assert (await portal.post("/reset", {"password": OTHER_PASSWORD, "verify_password": OTHER_PASSWORD})
            ).status_code == 303


@pytest.mark.parametrize("fields", [
    [("identifier", "sam.park@example.org"), ("identifier", "attacker@evil.example")],
    [("identifier", "SAM.PARK@EXAMPLE.TEST"), ("email", "attacker@evil.example")],
    [("identifier[]", "sam.park@example.org"), ("identifier[]", "attacker@evil.example"),
     ("identifier", "SamPark")],
    [("identifier", "sam.park@example.org,attacker@evil.example")],
    [("identifier", "sam.park@example.org\nBcc: attacker@evil.example")],
])
async def test_reset_mail_goes_only_to_the_address_on_file(portal, district, sam, deliver, fields):
    response = await ask_for_link(portal, fields)
    assert response.status_code in (303, 422)
    mails = await deliver()
    assert len(mails) <= 1
    for mail in mails:
        assert mail.envelope_to == ("sam.park@example.org",)
        assert mail.to == "sam.park@example.org"


async def test_a_throttled_account_can_still_reset_and_log_in(portal, district, sam, deliver):
    from app.services.sign_in import FAILURES_ALLOWED

    for _ in range(FAILURES_ALLOWED):
        await portal.log_in("SamPark", "guessing")
    assert "Too many failed attempts" in error_messages((await portal.log_in("SamPark", PASSWORD)).text)[0]
    await ask_for_link(portal, "SamPark")
    [mail] = await deliver()
    await choose_password(portal, reset_link(mail))
    assert (await portal.log_in("SamPark", OTHER_PASSWORD)).status_code == 303


async def test_an_address_shared_by_two_accounts_gets_a_link_for_each(portal, district, deliver):
    await make_account(district.guardian("rosa"), "RosaR")
    await make_account(district.guardian("luis"), "LuisR")
    await ask_for_link(portal, SHARED_EMAIL)
    mails = await deliver()
    assert sorted(re.search(r"account (\w+)", m.text).group(1) for m in mails) == ["LuisR", "RosaR"]
    assert {m.to for m in mails} == {SHARED_EMAIL}


async def test_the_reset_page_names_the_account_the_link_is_for(portal, district, sam, deliver):
    """A shared mailbox gets one link per account, and the page did not say which one it was (a parent tester's
    find); a password manager saves the new password for that username."""
    await ask_for_link(portal, "sampark")
    [mail] = await deliver()
    await portal.get(path_of(reset_link(mail)))
    page = await portal.get("/reset")
    assert page.status_code == 200 and "For the account SamPark." in page_text(page.text)
    assert 'name="username" value="SamPark" autocomplete="username" hidden' in page.text
