"""The second factor (issue 14): enrolment with a QR code drawn on the server, sign-in with an app code or a
recovery code, its own throttle, codes never taken twice, browsers trusted for 30 days, the secret sealed at
rest, staff who must have one, and a parent's factor reset at the office after a photo-ID check."""

from __future__ import annotations

import re

import pyotp
import pytest

from tests.integration.district import PASSWORD, make_account
from tests.integration.portal import error_messages, page_text
from tests.integration.test_staff_console import STAFF_PASSWORD, as_staff, staff_account
from tests.second_factor import code_at_step, give_authenticator

TRUSTED_COOKIE = "homeroom_trusted"


def now_code(secret: str) -> str:
    from app import clock

    return pyotp.TOTP(secret).at(clock.now())


@pytest.fixture
async def sam(district) -> int:
    return await make_account(district.guardian("sam"), "SamPark")


async def events(action: str) -> list[dict]:
    from app.tables import AuditEvent

    return await AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id)


async def enrol_from_account_page(portal) -> tuple[str, list[str]]:
    """Set up the app on the account page; returns the secret and the recovery codes shown once."""
    response = await portal.post("/account/second-factor", {"action": "set-up", "current_password": PASSWORD})
    assert response.headers["location"] == "/account/second-factor/enrol"
    page = await portal.get("/account/second-factor/enrol")
    secret = re.search(r'<code class="secret wrap">([A-Z2-7 ]+)</code>', page.text).group(1).replace(" ", "")
    response = await portal.post("/account/second-factor/enrol", {"code": now_code(secret)})
    assert response.headers["location"] == "/account/recovery-codes"
    shown = await portal.get("/account/recovery-codes")
    codes = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", shown.text)
    return secret, codes


async def password_step(portal, username: str = "SamPark", password: str = PASSWORD) -> None:
    response = await portal.log_in(username, password, second_step=False)
    assert response.status_code == 303 and response.headers["location"] == "/sign-in/code", response.text


# --- enrolment ---------------------------------------------------------------------------------------------

async def test_a_parent_sets_up_an_app_with_a_server_drawn_qr_code_and_gets_ten_recovery_codes(
        portal, sam, deliver):
    from app.services.sealing import unseal
    from app.tables import RecoveryCode, TotpFactor

    await portal.log_in("SamPark", PASSWORD)
    await deliver()
    overview = await portal.get("/account/second-factor")
    assert "Off: logging in asks only for your password" in page_text(overview.text)

    wrong = await portal.post("/account/second-factor", {"action": "set-up", "current_password": "not it"})
    assert wrong.status_code == 422 and "current password is not right" in error_messages(wrong.text)[0]

    await portal.post("/account/second-factor", {"action": "set-up", "current_password": PASSWORD})
    page = await portal.get("/account/second-factor/enrol")
    assert page.status_code == 200
    svg = re.search(r"<svg [^>]*>.*?</svg>", page.text, re.S).group(0)
    assert 'role="img"' in svg and "<title>" in svg and "<path" in svg and "<script" not in svg
    assert "<img" not in page.text and len(page.text) < 10 * 1024
    secret = re.search(r'<code class="secret wrap">([A-Z2-7 ]+)</code>', page.text).group(1).replace(" ", "")
    again = await portal.get("/account/second-factor/enrol")
    assert secret.replace(" ", "") in again.text.replace(" ", "")  # a reload shows the same secret

    bad = await portal.post("/account/second-factor/enrol", {"code": "123456" if now_code(secret) != "123456"
                                                            else "654321"})
    assert bad.status_code == 422 and "not right" in error_messages(bad.text)[0]
    done = await portal.post("/account/second-factor/enrol", {"code": now_code(secret)})
    assert done.headers["location"] == "/account/recovery-codes"
    shown = await portal.get("/account/recovery-codes")
    codes = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", shown.text)
    assert len(codes) == 10 == len(set(codes))
    assert (await portal.get("/account/recovery-codes")).headers["location"] == "/account/second-factor"  # once

    # At rest: the secret is sealed (a copy of the database alone does not give it), codes are digests.
    factor = await TotpFactor.objects().where(TotpFactor.account == sam).first()
    assert secret not in factor.secret_sealed and unseal(factor.secret_sealed) == secret
    stored = [r["code_digest"] for r in await RecoveryCode.select(RecoveryCode.code_digest)]
    assert len(stored) == 10 and not any(c.replace("-", "") in d or c in d for c in codes for d in stored)
    assert len(await events("second-factor.enrolled")) == 1
    mail = await deliver()
    assert [m.subject for m in mail] == ["How you log in to Campus Portal changed"]
    assert "An authenticator app was set up" in mail[0].text


async def test_the_sealed_secret_cannot_be_read_under_another_secret_key(portal, sam, monkeypatch):
    from app.services import sealing
    from app.settings import get_settings

    sealed = sealing.seal("JBSWY3DPEHPK3PXP")
    other = type(get_settings())(**{**get_settings().__dict__, "secret_key": "x" * 40})
    monkeypatch.setattr(sealing, "get_settings", lambda: other)
    assert sealing.unseal(sealed) is None


# --- signing in with a second factor -----------------------------------------------------------------------

async def test_sign_in_with_an_app_code_starts_a_new_session_and_is_recorded(portal, sam, clock):
    from app.rules.tokens import token_digest
    from app.tables import WebSession

    secret = await give_authenticator(sam)
    await password_step(portal)
    pending_cookie = portal.session_cookie
    assert (await portal.get("/home")).status_code == 303  # not signed in yet
    page = await portal.get("/sign-in/code")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.text

    response = await portal.post("/sign-in/code", {"code": pyotp.TOTP(secret).at(clock())})
    assert response.status_code == 303 and response.headers["location"] == "/home"
    assert portal.session_cookie and portal.session_cookie != pending_cookie  # session fixation rule
    assert not await WebSession.exists().where(WebSession.token_hash == token_digest(pending_cookie))  # it ended
    assert (await portal.get("/home")).status_code == 200
    assert [e["detail"] for e in await events("login.succeeded")][-1] == "second-factor=totp"
    account = await portal.get("/account")
    assert "Logged in with an app code" in page_text(account.text)


async def test_the_second_step_records_the_device_of_each_try(portal, sam, clock):
    """Issue 13 item 6: a wrong code and the sign-in it ends with name the browser in the recent sign-ins."""
    secret = await give_authenticator(sam)
    portal.client.headers["User-Agent"] = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 "
                                           "Firefox/128.0")
    await password_step(portal)
    assert (await portal.post("/sign-in/code", {"code": "000000" if now_code(secret) != "000000" else "111111"})
            ).status_code == 422
    assert (await portal.post("/sign-in/code", {"code": pyotp.TOTP(secret).at(clock())})).status_code == 303
    assert [(e["browser"], e["system"]) for e in await events("second-factor.failed")] == [("Firefox", "Windows")]
    assert [(e["browser"], e["system"]) for e in await events("login.succeeded")] == [("Firefox", "Windows")]
    table = page_text((await portal.get("/account")).text).split("Recent sign-ins", 1)[1]
    assert table.count("Firefox on Windows") == 2 and "Wrong code" in table, table


async def test_the_code_page_works_without_javascript_and_htmx_reloads_the_whole_page(portal, sam, clock):
    secret = await give_authenticator(sam)
    await password_step(portal)
    response = await portal.post("/sign-in/code", {"code": pyotp.TOTP(secret).at(clock())}, htmx=True)
    assert response.status_code == 200 and response.headers["hx-redirect"] == "/home"


async def test_a_recovery_code_signs_in_once(portal, second_portal, sam, clock):
    await portal.log_in("SamPark", PASSWORD)
    _, codes = await enrol_from_account_page(portal)

    await password_step(second_portal)
    used = await second_portal.post("/sign-in/code", {"code": codes[3].lower().replace("-", " ")})
    assert used.headers["location"] == "/home"
    assert [e["detail"] for e in await events("login.succeeded")][-1] == "second-factor=recovery-code"
    await second_portal.log_out()

    await password_step(second_portal)
    again = await second_portal.post("/sign-in/code", {"code": codes[3]})
    assert again.status_code == 422 and "not right" in error_messages(again.text)[0]
    overview = await portal.get("/account/second-factor")
    assert "9 unused recovery codes" in page_text(overview.text)


async def test_a_code_is_never_taken_twice_within_its_window(portal, sam, clock):
    secret = await give_authenticator(sam)
    code = pyotp.TOTP(secret).at(clock())
    await password_step(portal)
    assert (await portal.post("/sign-in/code", {"code": code})).headers["location"] == "/home"
    await portal.log_out()

    clock.advance(seconds=10)  # same 30-second step
    await password_step(portal)
    reused = await portal.post("/sign-in/code", {"code": code})
    assert reused.status_code == 422 and "already used" in error_messages(reused.text)[0]
    assert (await portal.get("/home")).status_code == 303
    # An older code from the drift window is refused too, once a newer one was taken.
    step = pyotp.TOTP(secret).timecode(clock())
    older = await portal.post("/sign-in/code", {"code": code_at_step(secret, step - 1)})
    assert older.status_code == 422
    clock.advance(seconds=30)
    assert (await portal.post("/sign-in/code", {"code": pyotp.TOTP(secret).at(clock())})).status_code == 303


async def test_wrong_codes_are_throttled_before_they_are_checked(portal, sam, clock):
    secret = await give_authenticator(sam)
    await password_step(portal)
    wrong = "000000" if pyotp.TOTP(secret).at(clock()) != "000000" else "111111"
    for _ in range(5):
        response = await portal.post("/sign-in/code", {"code": wrong})
        assert "not right" in error_messages(response.text)[0]
    right = await portal.post("/sign-in/code", {"code": pyotp.TOTP(secret).at(clock())})
    assert right.status_code == 422 and "Too many wrong codes" in error_messages(right.text)[0]
    assert len(await events("second-factor.throttled")) == 1
    assert len(await events("second-factor.failed")) == 5

    clock.advance(minutes=9)  # the password step waits 10 minutes at most
    right = await portal.post("/sign-in/code", {"code": pyotp.TOTP(secret).at(clock())})
    assert "Too many" in error_messages(right.text)[0]
    clock.advance(minutes=7)  # the throttle's window has passed; the password step has expired
    expired = await portal.post("/sign-in/code", {"code": "123456"})
    assert expired.headers["location"] == "/?notice=code-step-expired"
    assert "The time to enter the code ran out." in (await portal.get(expired.headers["location"])).text
    await password_step(portal)
    assert (await portal.post("/sign-in/code", {"code": pyotp.TOTP(secret).at(clock())})).status_code == 303


async def test_empty_and_malformed_codes_get_a_message_never_a_500(portal, sam):
    await give_authenticator(sam)
    await password_step(portal)
    for typed in ("", "12", "abcdef", "1234567", "x" * 2000, "１２３４５６"):
        response = await portal.post("/sign-in/code", {"code": typed})
        assert response.status_code == 422 and error_messages(response.text)


async def test_the_code_page_without_a_password_step_goes_back_to_login(portal, sam):
    assert (await portal.get("/sign-in/code")).headers["location"] == "/?notice=code-step-expired"
    assert (await portal.post("/sign-in/code", {"code": "123456"})).headers["location"] == "/?notice=code-step-expired"
    assert (await portal.get("/sign-in/enrol")).headers["location"] == "/?notice=code-step-expired"


async def test_a_trusted_browser_skips_the_code_for_30_days(portal, sam, clock):
    secret = await give_authenticator(sam)
    await password_step(portal)
    response = await portal.post("/sign-in/code", {"code": pyotp.TOTP(secret).at(clock()), "trust": "yes"})
    assert response.headers["location"] == "/home" and portal.cookie(TRUSTED_COOKIE)
    await portal.log_out()

    clock.advance(days=29)
    response = await portal.log_in("SamPark", PASSWORD)
    assert response.headers["location"] == "/home"
    assert [e["detail"] for e in await events("login.succeeded")][-1] == "second-factor=trusted-browser"
    await portal.log_out()

    clock.advance(days=2)  # 31 days after trusting it
    await password_step(portal)


async def test_forgetting_trusted_browsers_and_another_account_on_the_same_browser(portal, district, sam, clock):
    secret = await give_authenticator(sam)
    await password_step(portal)
    await portal.post("/sign-in/code", {"code": pyotp.TOTP(secret).at(clock()), "trust": "yes"})
    await portal.post("/account/second-factor/forget-browsers")
    await portal.log_out()
    await password_step(portal)  # the cookie is still there; the row it names is gone

    rosa = await make_account(district.guardian("rosa"), "rosa")
    await give_authenticator(rosa)
    second = await portal.log_in("rosa", PASSWORD, second_step=False)
    assert second.headers["location"] == "/sign-in/code"  # trust is per account


# --- changing a factor ---------------------------------------------------------------------------------------

async def test_removing_or_replacing_codes_needs_the_current_password_and_tells_the_parent(portal, sam, deliver):
    from app.tables import TotpFactor

    await portal.log_in("SamPark", PASSWORD)
    await enrol_from_account_page(portal)
    await deliver()
    wrong = await portal.post("/account/second-factor", {"action": "remove", "current_password": "nope"})
    assert wrong.status_code == 422 and await TotpFactor.count() == 1
    new_codes = await portal.post("/account/second-factor", {"action": "recovery-codes",
                                                              "current_password": PASSWORD})
    assert new_codes.headers["location"] == "/account/recovery-codes"
    removed = await portal.post("/account/second-factor", {"action": "remove", "current_password": PASSWORD})
    assert removed.headers["location"] == "/account/second-factor?notice=removed"
    assert await TotpFactor.count() == 0
    assert sorted(m.text.split(" on ")[0] for m in await deliver()) == [
        "New recovery codes were made for the Campus Portal account SamPark",
        "The authenticator app of the Campus Portal account SamPark was turned off"]
    await portal.log_out()
    assert (await portal.log_in("SamPark", PASSWORD)).headers["location"] == "/home"


# --- staff ---------------------------------------------------------------------------------------------------

async def test_a_district_admin_without_a_factor_sets_one_up_at_the_next_sign_in(portal, district, clock):
    from app.services.staff_accounts import create_staff_account

    assert await create_staff_account("NewAdmin", STAFF_PASSWORD, "district-admin", None) == []
    response = await portal.log_in("NewAdmin", STAFF_PASSWORD, second_step=False)
    assert response.headers["location"] == "/sign-in/enrol"
    assert (await portal.get("/staff")).status_code == 303  # not signed in before the app is set up
    page = await portal.get("/sign-in/enrol")
    secret = re.search(r'<code class="secret wrap">([A-Z2-7 ]+)</code>', page.text).group(1).replace(" ", "")
    done = await portal.post("/sign-in/enrol", {"code": pyotp.TOTP(secret).at(clock())})
    assert done.headers["location"] == "/account/recovery-codes"
    codes = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", (await portal.get("/account/recovery-codes")).text)
    assert len(codes) == 10
    assert (await portal.get("/staff")).status_code == 200
    overview = await portal.get("/account/second-factor")
    assert "Turn the second step off" not in overview.text  # required: replace, never remove
    refused = await portal.post("/account/second-factor", {"action": "remove", "current_password": STAFF_PASSWORD})
    assert refused.status_code == 422 and "requires a second factor" in error_messages(refused.text)[0]


async def test_school_staff_need_one_unless_the_district_turns_it_off(portal, district):
    from app.services.preferences import set_preference
    from app.services.staff_accounts import create_staff_account

    assert await create_staff_account("MapleDesk", STAFF_PASSWORD, "school-staff", "sch-maple") == []
    assert (await portal.log_in("MapleDesk", STAFF_PASSWORD, second_step=False)).headers["location"] == "/sign-in/enrol"
    await set_preference("staff_second_factor", "off")
    assert (await portal.log_in("MapleDesk", STAFF_PASSWORD)).headers["location"] == "/staff"


async def test_staff_remove_a_parents_factor_only_after_a_photo_id_check(portal, second_portal, district, sam,
                                                                        clock, deliver):
    from app.tables import TotpFactor

    secret = await give_authenticator(sam)
    await password_step(second_portal)
    await second_portal.post("/sign-in/code", {"code": pyotp.TOTP(secret).at(clock())})
    await deliver()
    staff_id = await staff_account("MapleOffice", "school-staff", "sch-maple")
    await as_staff(portal, "MapleOffice")
    guardian = district.guardian("sam").public_id
    page = await portal.get(f"/staff/guardians/{guardian}")
    assert "Remove the second step" in page.text

    unchecked = await portal.post(f"/staff/guardians/{guardian}/second-factor",
                                  {"reset_photo_id_type": "passport"})
    assert unchecked.status_code == 422 and await TotpFactor.count().where(TotpFactor.account == sam) == 1
    assert [e.field for e in []] == [] and "Confirm that you checked a photo ID" in error_messages(unchecked.text)[0]
    done = await portal.post(f"/staff/guardians/{guardian}/second-factor",
                             {"reset_photo_id_type": "passport", "reset_id_checked": "yes"})
    assert done.headers["location"] == f"/staff/guardians/{guardian}?notice=second-factor-reset"
    assert await TotpFactor.count().where(TotpFactor.account == sam) == 0
    [event] = await events("second-factor.reset")
    assert event["actor"] == staff_id and event["account"] == sam and event["detail"] == "photo-id=passport"
    assert (await second_portal.get("/home")).status_code == 303  # the parent's sessions ended
    assert "School staff removed the authenticator app" in (await deliver())[0].text
    # Nothing to reset any more: the form is gone and the route answers 404.
    assert "Remove the second step" not in (await portal.get(f"/staff/guardians/{guardian}")).text
    again = await portal.post(f"/staff/guardians/{guardian}/second-factor",
                              {"reset_photo_id_type": "passport", "reset_id_checked": "yes"})
    assert again.status_code == 404


async def test_school_staff_cannot_reset_a_parent_of_another_school(portal, district, clock):
    rosa = await make_account(district.guardian("rosa"), "rosa")  # children at Maple and Oak
    sam = await make_account(district.guardian("sam"), "SamPark")  # child at Maple only
    await give_authenticator(rosa)
    await give_authenticator(sam)
    await staff_account("OakOffice", "school-staff", "sch-oak")
    await as_staff(portal, "OakOffice")
    response = await portal.post(f"/staff/guardians/{district.guardian('sam').public_id}/second-factor",
                                 {"reset_photo_id_type": "passport", "reset_id_checked": "yes"})
    assert response.status_code == 404


async def test_the_return_to_page_survives_the_second_step(portal, sam, clock):
    secret = await give_authenticator(sam)
    response = await portal.post("/", {"username": "SamPark", "password": PASSWORD, "next": "/household"})
    assert response.headers["location"] == "/sign-in/code"
    done = await portal.post("/sign-in/code", {"code": now_code(secret)})
    assert done.headers["location"] == "/household"
