"""Log In and Log Out (docs/design.md §4.1; docs/security.md D1-D3, G1): one reply for every failure, the same
hashing work whether or not the username exists, a per-username throttle, sessions that rotate and end."""

from __future__ import annotations

import pytest

from tests.integration.district import PASSWORD, make_account
from tests.integration.portal import SESSION_COOKIE, error_messages

WRONG = "The username or password is not right. Check them and try again."


class CountingHasher:
    """argon2's PasswordHasher (its attributes are read-only), counting verify and hash calls."""

    def __init__(self, real, calls: dict) -> None:
        self.real, self.calls = real, calls

    def verify(self, stored_hash, password):
        self.calls["verify"] += 1
        return self.real.verify(stored_hash, password)

    def hash(self, password):
        self.calls["hash"] += 1
        return self.real.hash(password)

    def check_needs_rehash(self, stored_hash):
        return self.real.check_needs_rehash(stored_hash)


@pytest.fixture
def hash_calls(monkeypatch):
    """Counts the argon2 work each request does (docs/security.md D2: count, never time): every call into
    argon2 itself, whichever method of the pool made it."""
    from app.services.password_hashing import hashing

    pool = hashing()
    calls = {"verify": 0, "hash": 0}
    monkeypatch.setattr(pool, "hasher", CountingHasher(pool.hasher, calls))

    def take() -> dict:
        taken = dict(calls)
        calls.update(verify=0, hash=0)
        return taken

    return take


@pytest.fixture
async def sam(district) -> int:
    return await make_account(district.guardian("sam"), "SamPark")


async def signed_in(portal) -> bool:
    response = await portal.get("/home")
    return response.status_code == 200


async def test_log_in_lands_on_home_listing_the_guardians_students(portal, district, sam):
    response = await portal.log_in("sampark", PASSWORD)  # usernames are not case-sensitive
    assert response.status_code == 303
    assert response.headers["location"] == "/home"
    home = await portal.get("/home")
    assert home.status_code == 200
    assert "Cleo Park" in home.text


async def test_every_login_failure_gets_the_same_reply(portal, district, sam):
    from app.tables import UserAccount

    luis = await make_account(district.guardian("luis"), "LuisRivera")
    await UserAccount.update({UserAccount.disabled: True}).where(UserAccount.id == luis)
    attempts = {
        "wrong password": ("SamPark", "not the password"),
        "unknown username": ("NobodyHere", PASSWORD),
        "malformed username": ("no such user!", PASSWORD),
        "disabled account": ("LuisRivera", PASSWORD),
    }
    replies = {}
    for case, (username, password) in attempts.items():
        response = await portal.log_in(username, password)
        body = response.text.replace(f'value="{username.replace("!", "&#33;")}"', 'value="?"').replace(
            f'value="{username}"', 'value="?"')
        replies[case] = (response.status_code, body)
        assert error_messages(response.text) == [WRONG], case
    assert len(set(replies.values())) == 1, {case: status for case, (status, _) in replies.items()}


async def test_every_login_does_exactly_one_password_verification(portal, district, sam, hash_calls):
    from app.tables import UserAccount

    luis = await make_account(district.guardian("luis"), "LuisRivera")
    await UserAccount.update({UserAccount.disabled: True}).where(UserAccount.id == luis)
    await portal.csrf_token()
    hash_calls()
    for username, password in [("SamPark", "wrong one"), ("NobodyHere", "wrong one"), ("x", "wrong one"),
                               ("LuisRivera", PASSWORD), ("SamPark", PASSWORD)]:
        await portal.log_in(username, password)
        assert hash_calls() == {"verify": 1, "hash": 0}, username
        portal.forget_cookie(SESSION_COOKIE)


async def test_failed_logins_for_one_username_are_throttled_then_allowed_again(portal, district, sam, clock):
    from app.services.sign_in import FAILURES_ALLOWED, FAILURE_WINDOW

    for _ in range(FAILURES_ALLOWED):
        response = await portal.log_in("SamPark", "guessing")
        assert error_messages(response.text) == [WRONG]
    refused = await portal.log_in("SamPark", PASSWORD)
    assert refused.status_code == 422
    assert "Too many failed attempts for this username" in error_messages(refused.text)[0]
    assert not await signed_in(portal)
    # An unknown username is throttled the same way (the reply does not tell which exist).
    for _ in range(FAILURES_ALLOWED):
        await portal.log_in("NobodyHere", "guessing")
    assert "Too many failed attempts" in error_messages((await portal.log_in("NobodyHere", "x")).text)[0]

    clock.advance(seconds=FAILURE_WINDOW.total_seconds() + 1)
    allowed = await portal.log_in("SamPark", PASSWORD)
    assert allowed.status_code == 303
    assert await signed_in(portal)


async def test_a_successful_login_resets_the_failure_count(portal, second_portal, district, sam):
    from app.services.sign_in import FAILURES_ALLOWED

    for _ in range(FAILURES_ALLOWED - 1):
        await portal.log_in("SamPark", "guessing")
    assert (await second_portal.log_in("SamPark", PASSWORD)).status_code == 303
    for _ in range(FAILURES_ALLOWED - 1):
        await portal.log_in("SamPark", "guessing")
    portal.forget_cookie(SESSION_COOKIE)
    assert (await portal.log_in("SamPark", PASSWORD)).status_code == 303


async def test_login_issues_a_new_session_id_and_the_planted_one_stays_anonymous(portal, second_portal, district,
                                                                                 sam):
    from tests.integration.district import issue_key

    # The attacker gets a real anonymous session from the portal (entering a key of their own makes one)...
    await second_portal.post("/activate", {"activation_key": await issue_key(district.guardian("luis"))})
    planted = second_portal.session_cookie
    assert planted
    # ...and plants it in the parent's browser, who then logs in.
    portal.set_session_cookie(planted)
    response = await portal.log_in("SamPark", PASSWORD)
    assert response.status_code == 303
    assert portal.session_cookie and portal.session_cookie != planted
    assert await signed_in(portal)
    assert not await signed_in(second_portal)  # the planted id is not signed in


async def test_a_made_up_session_id_is_never_adopted(portal, district, sam):
    portal.set_session_cookie("attacker-chosen-session-id")
    await portal.log_in("SamPark", PASSWORD)
    assert portal.session_cookie != "attacker-chosen-session-id"
    assert await signed_in(portal)


async def test_login_rotates_the_csrf_token(portal, district, sam):
    before = await portal.csrf_token()
    response = await portal.log_in("SamPark", PASSWORD)
    assert response.status_code == 303
    after = await portal.csrf_token()
    assert after != before
    # The old token no longer works.
    stale = await portal.client.post("/logout", data={"_csrf_token": before})
    assert stale.status_code == 403


async def test_log_out_ends_the_session_and_a_replayed_cookie_is_anonymous(portal, second_portal, district, sam):
    from app.tables import AuditEvent

    await portal.log_in("SamPark", PASSWORD)
    old = portal.session_cookie
    response = await portal.log_out()
    assert response.status_code == 303
    assert response.headers["location"] == "/?notice=signed-out"
    assert not portal.session_cookie
    page = await portal.get(response.headers["location"])
    assert "You have logged out." in page.text
    second_portal.set_session_cookie(old)
    replay = await second_portal.get("/home")
    assert replay.status_code == 303
    assert replay.headers["location"].startswith("/?notice=session-ended")
    assert await AuditEvent.exists().where(AuditEvent.action == "logout")


async def test_a_session_ends_after_thirty_idle_minutes(portal, district, sam, clock):
    await portal.log_in("SamPark", PASSWORD)
    clock.advance(minutes=29)
    assert await signed_in(portal)  # activity keeps it alive
    clock.advance(minutes=29)
    assert await signed_in(portal)
    clock.advance(minutes=30, seconds=1)
    response = await portal.get("/home")
    assert response.status_code == 303
    assert response.headers["location"] == "/?notice=session-ended&next=%2Fhome"


async def test_a_session_ends_twelve_hours_after_login_however_active(portal, district, sam, clock):
    await portal.log_in("SamPark", PASSWORD)
    for _ in range(12 * 3 - 1):
        clock.advance(minutes=20)
        assert await signed_in(portal)
    clock.advance(minutes=20)
    assert not await signed_in(portal)


async def test_login_events_are_audited(portal, district, sam):
    from app.tables import AuditEvent

    await portal.log_in("SamPark", "wrong password")
    await portal.log_in("SamPark", PASSWORD)
    actions = [row["action"] for row in await AuditEvent.select(AuditEvent.action).where(
        AuditEvent.action.like("login.%")).order_by(AuditEvent.id)]
    assert actions == ["login.failed", "login.succeeded"]


async def test_an_htmx_login_reloads_the_whole_page_into_home(portal, district, sam):
    response = await portal.log_in("SamPark", PASSWORD, htmx=True)
    assert response.status_code == 200
    assert response.headers["hx-redirect"] == "/home"
    assert await signed_in(portal)
