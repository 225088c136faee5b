"""Issue 9: the username-recovery lock made humane and hard to abuse. The fifth reply of a district day
warns that one more request locks the accounts (for any address: it tells nothing about which are on
file; the page is the `parent` branch's requests-left notice, issue 13 item 2); the lock email tells the address's owner what happened and how to get help; a parent signed in
elsewhere stays signed in (tests/integration/test_forgot_username.py); recovery-only never locks."""

from __future__ import annotations

from tests.integration.district import PASSWORD, SHARED_EMAIL, make_account
from tests.integration.portal import page_text
from tests.integration.test_forgot_username import NEXT_DISTRICT_DAY, ask_for_usernames, normalised


async def five_requests(portal, address) -> list:
    return [await ask_for_usernames(portal, address) for _ in range(5)]


def comparable(response) -> tuple:
    return response.status_code, response.headers["location"]


async def test_the_fifth_reply_warns_alike_for_an_address_on_file_and_one_that_is_not(portal, district, deliver):
    await make_account(district.guardian("rosa"), "RosaR")
    on_file = await five_requests(portal, SHARED_EMAIL)
    not_on_file = await five_requests(portal, "nobody@example.org")
    assert [comparable(r) for r in on_file] == [comparable(r) for r in not_on_file]
    assert [r.headers["location"] for r in on_file] == [f"/forgot-username/sent?left={n}" for n in (4, 3, 2, 1, 0)]
    warning = normalised(page_text((await portal.get("/forgot-username/sent?left=0")).text))
    assert "If that address is on file, we have emailed it the usernames tied to it, or, when no account uses it yet, how to get an activation key." in warning
    assert "That was the last request for this address today." in warning
    assert f"Another one would lock every account tied to it until {NEXT_DISTRICT_DAY}" in warning


async def test_the_lock_email_says_what_happened_and_how_to_get_help(portal, second_portal, district, deliver):
    from app.tables import OutboxEmail

    await make_account(district.guardian("rosa"), "RosaR")
    await make_account(district.guardian("luis"), "LuisR")
    assert (await second_portal.log_in("RosaR", PASSWORD)).status_code == 303
    await five_requests(portal, SHARED_EMAIL)
    await deliver()
    assert (await ask_for_usernames(portal, SHARED_EMAIL)).headers["location"] == "/forgot-username/limit"
    [notice] = await deliver()
    text = normalised(notice.text)
    assert notice.to == SHARED_EMAIL and "locked until tomorrow" in notice.subject
    assert "more than 5 times today" in text
    assert f"locked until {NEXT_DISTRICT_DAY}" in text
    assert "Anyone already logged in stays logged in" in text
    assert "(404) 802-1000" in text or "+14048021000" in text
    assert "http://portal.test/forgot-password" in text
    assert "RosaR" not in text and "LuisR" not in text  # the usernames are not what it sends
    assert (await second_portal.get("/home")).status_code == 200
    # A seventh, eighth... request sends nothing more.
    await ask_for_usernames(portal, SHARED_EMAIL)
    assert await deliver() == []
    assert await OutboxEmail.count().where(OutboxEmail.kind == "username-locked") == 1


async def test_recovery_only_warns_that_the_emails_stop_and_never_locks(portal, district, deliver):
    from app.services.preferences import set_preference
    from app.tables import UserAccount

    await set_preference("username_lock_scope", "recovery-only")
    await make_account(district.guardian("rosa"), "RosaR")
    await five_requests(portal, SHARED_EMAIL)
    warning = normalised(page_text((await portal.get("/forgot-username/sent?left=0")).text))
    assert f"Another one would send nothing until {NEXT_DISTRICT_DAY}" in warning
    await deliver()
    await ask_for_usernames(portal, SHARED_EMAIL)
    assert await deliver() == []
    assert await UserAccount.count().where(UserAccount.locked_until.is_not_null()) == 0
