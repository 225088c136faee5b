"""The account page (docs/design.md §4.10): change password (current one needed, other sessions end), language,
sign out everywhere, recent sign-ins and current sessions."""

from __future__ import annotations

import pytest

from tests.integration import leaks
from tests.integration.district import OTHER_PASSWORD, PASSWORD, SHARED_EMAIL, make_account
from tests.integration.portal import error_messages, page_text

NEW_PASSWORD = "Copper kettle 318"


@pytest.fixture
async def accounts(district):
    leaks.remember(NEW_PASSWORD, leaks.PASSWORD)
    return {"rosa": await make_account(district.guardian("rosa"), "rosa"),
            "sam": await make_account(district.guardian("sam"), "sampark", OTHER_PASSWORD)}


@pytest.fixture
async def rosa(portal, accounts, deliver):
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    await deliver()
    return portal


async def audit_actions(action: str) -> list[dict]:
    from app.tables import AuditEvent

    return await AuditEvent.select().where(AuditEvent.action == action)


async def test_the_account_page_needs_a_signed_in_guardian(portal, accounts):
    response = await portal.get("/account")
    assert response.status_code == 303
    assert (await portal.post("/account/sign-out-everywhere")).status_code == 303


# --- change password -------------------------------------------------------------------------------------


async def test_changing_the_password_ends_other_sessions_but_not_this_one(rosa, second_portal, deliver):
    assert (await second_portal.log_in("rosa", PASSWORD)).status_code == 303
    assert (await second_portal.get("/account")).status_code == 200
    await deliver()

    response = await rosa.post("/account/password", {
        "current_password": PASSWORD, "password": NEW_PASSWORD, "verify_password": NEW_PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/account?notice=password-changed"

    page = await rosa.get("/account?notice=password-changed")
    assert page.status_code == 200 and "Your password was changed" in page_text(page.text)
    gone = await second_portal.get("/account")
    assert gone.status_code == 303 and gone.headers["location"].startswith("/")

    [mail] = await deliver()
    assert mail.to == SHARED_EMAIL and "was changed" in mail.subject
    assert len(await audit_actions("password.changed")) == 1

    await rosa.log_out()
    assert (await rosa.log_in("rosa", PASSWORD)).status_code == 422
    assert (await rosa.log_in("rosa", NEW_PASSWORD)).status_code == 303


@pytest.mark.parametrize("current", ["", "Not the password 1"])
async def test_changing_the_password_needs_the_current_one(rosa, second_portal, deliver, current):
    await second_portal.log_in("rosa", PASSWORD)
    response = await rosa.post("/account/password", {
        "current_password": current, "password": NEW_PASSWORD, "verify_password": NEW_PASSWORD})
    assert response.status_code == 422
    expected = "Enter your current password" if not current else "Your current password is not right"
    assert error_messages(response.text)[0].startswith(expected)
    assert 'aria-describedby="current-password-error"' in response.text
    assert (await second_portal.get("/account")).status_code == 200  # nothing ended
    assert await deliver() == []
    assert await audit_actions("password.changed") == []
    await rosa.log_out()
    assert (await rosa.log_in("rosa", PASSWORD)).status_code == 303


@pytest.mark.parametrize(("password", "verify", "message"), [
    ("", "", "Enter a password"),
    ("abc", "abc", "Password must be at least 6 characters long"),
    ("password1", "password1", "This password is too common"),
    ("my rosa secret", "my rosa secret", "Password must not contain your username"),
    (NEW_PASSWORD, "something else", "The two passwords are not the same. Type the same password in both boxes"),
    (PASSWORD, PASSWORD, "Choose a password different from your current one"),
])
async def test_a_new_password_follows_the_same_rules_as_at_activation(rosa, password, verify, message):
    response = await rosa.post("/account/password", {
        "current_password": PASSWORD, "password": password, "verify_password": verify})
    assert response.status_code == 422
    assert any(m.startswith(message) for m in error_messages(response.text)), error_messages(response.text)


async def test_wrong_current_passwords_are_throttled(rosa):
    for _ in range(10):
        response = await rosa.post("/account/password", {
            "current_password": "guess", "password": NEW_PASSWORD, "verify_password": NEW_PASSWORD})
        assert "Your current password is not right" in error_messages(response.text)[0]
    response = await rosa.post("/account/password", {
        "current_password": PASSWORD, "password": NEW_PASSWORD, "verify_password": NEW_PASSWORD})
    assert response.status_code == 422
    assert error_messages(response.text)[0].startswith("Too many wrong passwords")


async def test_password_errors_come_back_as_a_fragment_for_htmx(rosa):
    response = await rosa.post("/account/password", {"current_password": "", "password": "", "verify_password": ""},
                               htmx=True)
    assert response.status_code == 422
    assert "<html" not in response.text and "<title>Error: Change your password" in response.text


# --- sign out everywhere ---------------------------------------------------------------------------------


async def test_sign_out_everywhere_ends_every_session_this_one_too(rosa, second_portal, portal, accounts):
    from app.tables import WebSession

    await second_portal.log_in("rosa", PASSWORD)
    response = await rosa.post("/account/sign-out-everywhere")
    assert response.status_code == 303 and response.headers["location"] == "/?notice=signed-out-everywhere"
    assert "You have logged out on every device, this one included." in (await rosa.get(response.headers["location"])).text
    assert "Clear-Site-Data" in response.headers
    for browser in (rosa, second_portal):
        assert (await browser.get("/account")).status_code == 303
    assert await WebSession.count().where(WebSession.account == accounts["rosa"]) == 0
    [event] = await audit_actions("account.signed-out-everywhere")
    assert event["account"] == accounts["rosa"]


async def test_sign_out_everywhere_leaves_other_accounts_alone(rosa, second_portal):
    await second_portal.log_in("sampark", OTHER_PASSWORD)
    await rosa.post("/account/sign-out-everywhere")
    assert (await second_portal.get("/account")).status_code == 200


async def test_sign_out_everywhere_with_htmx_reloads_the_whole_page(rosa):
    response = await rosa.post("/account/sign-out-everywhere", htmx=True)
    assert response.headers.get("HX-Redirect") == "/?notice=signed-out-everywhere"
    assert (await rosa.get("/account")).status_code == 303


# --- language --------------------------------------------------------------------------------------------


async def test_the_language_preference_is_stored_on_the_account(rosa, accounts):
    from app.tables import UserAccount

    page = await rosa.get("/account")
    assert 'value="en" checked' in page.text and 'lang="es">Español</label>' in page.text
    response = await rosa.post("/account/language", {"language": "es"})
    assert response.status_code == 303 and response.headers["location"] == "/account?notice=language-changed"
    row = await UserAccount.select(UserAccount.language).where(UserAccount.id == accounts["rosa"]).first()
    assert row["language"] == "es"
    assert '<html lang="es">' in (await rosa.get("/account")).text
    [event] = await audit_actions("language.changed")
    assert event["detail"] == "es"


@pytest.mark.parametrize("language", ["", "fr", "es" * 600])
async def test_a_language_that_is_not_offered_is_refused(rosa, accounts, language):
    from app.tables import UserAccount

    response = await rosa.post("/account/language", {"language": language})
    assert response.status_code == 422
    assert error_messages(response.text) in (["Choose a language from the list"], ["This is too long"])
    row = await UserAccount.select(UserAccount.language).where(UserAccount.id == accounts["rosa"]).first()
    assert row["language"] == "en"


# --- recent sign-ins -------------------------------------------------------------------------------------


async def test_recent_sign_ins_list_the_last_ten_attempts_with_time_and_ip(portal, accounts, clock):
    await portal.log_in("rosa", "wrong password")
    clock.advance(minutes=1)
    await portal.log_in("sampark", "wrong password")  # another account's attempt is not listed
    for _ in range(11):
        clock.advance(minutes=1)
        await portal.log_in("rosa", PASSWORD)
    clock.advance(minutes=1)
    await portal.log_in("rosa", "wrong again")
    await portal.log_in("rosa", PASSWORD)
    page = await portal.get("/account")
    table = page.text.split("<table>", 1)[1].split("</table>", 1)[0]
    rows = table.split("<tr>")[2:]
    assert len(rows) == 10
    assert "Logged in" in rows[0] and "Wrong password" in rows[1] and "127.0.0.1" in rows[0]
    assert all("Logged in" in row for row in rows[2:])
    assert "<caption" in table and 'scope="col"' in table


async def test_current_sessions_are_listed_with_this_device_first(rosa, second_portal):
    await second_portal.client.post("/", data={
        "username": "rosa", "password": PASSWORD, "_csrf_token": await second_portal.csrf_token()},
        headers={"User-Agent": ANDROID_CHROME})
    text = page_text((await rosa.get("/account")).text)
    assert text.index("This device") < text.index("Another device")
    # Issue 13 item 6: the browser in words, not the raw header, and when in words too
    assert "Another device: Chrome on Android" in text and ANDROID_CHROME not in text
    assert "Logged in just now from" in text
    # ... and the way out comes first, before the lists and the other settings
    assert text.index("Log out everywhere") < text.index("This device") < text.index("Recent sign-ins") \
        < text.index("Change your password")


ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/124.0.0.0 Mobile Safari/537.36")


IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/17.4 Mobile/15E148 Safari/604.1")


async def test_recent_sign_ins_name_the_device_in_words_and_keep_only_the_words(portal, accounts, clock):
    """Issue 13 item 6: "Chrome on Android, 10 minutes ago". The audit event keeps the two names, never the
    User-Agent header (the audit log is kept for years; the header's versions and model are a fingerprint)."""
    from app.tables import AuditEvent

    async def attempt(password: str, user_agent: str) -> None:
        response = await portal.client.post("/", data={"username": "rosa", "password": password,
                                                       "_csrf_token": await portal.csrf_token()},
                                            headers={"User-Agent": user_agent})
        assert response.status_code in (303, 422)

    await attempt("wrong password", IPHONE_SAFARI)
    clock.advance(minutes=1)
    await attempt(PASSWORD, ANDROID_CHROME)
    clock.advance(minutes=10)

    def rows_of(text: str) -> list[str]:
        table = text.split("<table>", 1)[1].split("</table>", 1)[0]
        return [page_text(row) for row in table.split("<tr>")[2:]]

    signed_in, failed = rows_of((await portal.get("/account")).text)
    assert "10 minutes ago" in signed_in and "Logged in" in signed_in and "Chrome on Android" in signed_in, signed_in
    assert "11 minutes ago" in failed and "Wrong password" in failed and "Safari on iPhone" in failed, failed
    assert ">Device</th>" in (await portal.get("/account")).text

    events = await AuditEvent.select().where(AuditEvent.action.is_in(["login.succeeded", "login.failed"]))
    assert sorted((e["action"], e["browser"], e["system"]) for e in events) == [
        ("login.failed", "Safari", "iPhone"), ("login.succeeded", "Chrome", "Android")]
    for event in events:  # nothing of the header beyond the names, in any column
        assert not any("Mozilla" in str(value) or "17_4" in str(value) or "Pixel" in str(value)
                       for value in event.values()), event

    await portal.post("/account/language", {"language": "es"})
    signed_in, failed = rows_of((await portal.get("/account")).text)
    assert "hace 10 minutos" in signed_in and "Chrome en Android" in signed_in, signed_in
    assert "Safari en iPhone" in failed and "Contraseña incorrecta" in failed, failed
    assert ">Dispositivo</th>" in (await portal.get("/account")).text


async def test_a_sign_in_from_an_unknown_browser_says_so(portal, accounts):
    await portal.client.post("/", data={"username": "rosa", "password": PASSWORD,
                                        "_csrf_token": await portal.csrf_token()}, headers={"User-Agent": ""})
    text = (await portal.get("/account")).text
    table = page_text(text.split("<table>", 1)[1].split("</table>", 1)[0])
    assert "Unknown browser" in table


async def test_sign_ins_say_how_long_ago_in_each_language(rosa, clock):

    clock.advance(minutes=10)
    text = page_text((await rosa.get("/account")).text)
    assert "Logged in 10 minutes ago from" in text
    assert "10 minutes ago (" in text  # the recent sign-ins: how long ago, then the time itself
    await rosa.post("/account/language", {"language": "es"})
    spanish = page_text((await rosa.get("/account")).text)
    assert "hace 10 minutos" in spanish
