"""Races that only a real database with real concurrency shows (docs/quality.md §1, §4; docs/security.md B1, E6):
one-time things are claimed by a single conditional UPDATE, and daily counters are atomic upserts."""

from __future__ import annotations

import asyncio

import pytest

from tests.integration import leaks
from tests.integration.district import PASSWORD, SHARED_EMAIL, issue_key, key_id, make_account

pytestmark = pytest.mark.postgres_only

RACERS = 20


async def test_twenty_concurrent_redemptions_of_one_key_create_exactly_one_account(database, district):
    from app.services.activation import create_account_with_key
    from app.tables import ActivationKey, AuditEvent, UserAccount

    the_key = await key_id(await issue_key(district.guardian("rosa")))
    results = await asyncio.gather(*(
        create_account_with_key(the_key, f"Racer{n}", PASSWORD, PASSWORD, ip="127.0.0.1", user_agent="race",
                                previous_session=None)
        for n in range(RACERS)))
    for result in results:
        if result.session_token:
            leaks.remember(result.session_token, leaks.SESSION)
    winners = [r for r in results if r.session_token]
    assert len(winners) == 1
    assert all(r.key_gone for r in results if not r.session_token)
    assert await UserAccount.count() == 1
    [key] = await ActivationKey.select(ActivationKey.used_by)
    assert key["used_by"] == (await UserAccount.select(UserAccount.id).first())["id"]
    assert await AuditEvent.count().where(AuditEvent.action == "key.redeemed") == 1


async def test_ten_concurrent_username_requests_for_one_address_send_at_most_five_emails(database, district,
                                                                                         deliver):
    from app.services.recovery import request_username_reminder
    from app.tables import UserAccount

    await make_account(district.guardian("rosa"), "RosaR")
    await make_account(district.guardian("luis"), "LuisR")
    results = await asyncio.gather(*(request_username_reminder(SHARED_EMAIL, ip="127.0.0.1") for _ in range(10)))
    mails = await deliver()
    # Five reminders, and the one notice that the accounts are now locked (issue 9).
    locked = [m for m in mails if "locked" in m.subject]
    assert len(locked) == 1 and len(mails) - len(locked) == 5
    assert sum(1 for r in results if r.over_limit) == 5
    assert await UserAccount.count().where(UserAccount.locked_until.is_not_null()) == 2


async def test_twenty_concurrent_resets_with_one_link_change_the_password_once(database, district, deliver):
    from app.services.recovery import request_password_reset, reset_password
    from app.services.sign_in import sign_in
    from app.tables import OutboxEmail, PasswordResetToken

    await make_account(district.guardian("sam"), "SamPark")
    await request_password_reset("SamPark", ip="127.0.0.1")
    await deliver()  # the mail worker mints the link as it sends it
    [token] = await PasswordResetToken.select(PasswordResetToken.id)
    passwords = [leaks.remember(f"Brand new secret {n}", leaks.PASSWORD) for n in range(RACERS)]
    results = await asyncio.gather(*(reset_password(token["id"], p, p, ip="127.0.0.1") for p in passwords))
    done = [p for p, r in zip(passwords, results) if r.done]
    assert len(done) == 1
    assert all(r.link_gone for r in results if not r.done)
    assert await OutboxEmail.count().where(OutboxEmail.kind == "password-changed") == 1
    await deliver()
    signed_in = [await sign_in("SamPark", p, ip="127.0.0.1", user_agent="race", previous_session=None)
                 for p in (done[0], PASSWORD)]
    for result in signed_in:
        if result.session_token:
            leaks.remember(result.session_token, leaks.SESSION)
    assert [bool(r.session_token) for r in signed_in] == [True, False]


async def test_concurrent_failed_logins_are_all_counted(database, district):
    """The throttle counter is one atomic upsert: no increment is lost under concurrency (Devise #4981)."""
    from app.services import rate_limits
    from app.services.sign_in import login_throttle_key, sign_in

    await make_account(district.guardian("sam"), "SamPark")
    await asyncio.gather(*(sign_in("SamPark", f"guess {n}", ip="127.0.0.1", user_agent="race", previous_session=None)
                           for n in range(8)))
    tally = await rate_limits.current(login_throttle_key("SamPark"))
    assert tally.count == 8
