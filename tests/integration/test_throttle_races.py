"""Issue 9, item 2: every throttle and daily counter reserves before it acts. Parallel attempts, on SQLite
and on PostgreSQL alike (this module is not PostgreSQL-only): the count is one atomic upsert that returns
the new value, and only attempts within the limit go on to verify a password, look a key up or send."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from tests.integration import leaks
from tests.integration.district import PASSWORD, issue_key, make_account
from tests.integration.test_login import CountingHasher

RACERS = 60


@pytest.fixture
def argon2_calls(monkeypatch) -> dict:
    from app.services.password_hashing import hashing

    calls = {"verify": 0, "hash": 0}
    monkeypatch.setattr(hashing(), "hasher", CountingHasher(hashing().hasher, calls))
    return calls


def remember_sessions(results) -> None:
    for result in results:
        if getattr(result, "session_token", None):
            leaks.remember(result.session_token, leaks.SESSION)


async def test_sixty_parallel_wrong_passwords_for_one_username_make_at_most_ten_checks(database, district,
                                                                                         argon2_calls):
    from app.services.sign_in import FAILURES_ALLOWED, sign_in

    await make_account(district.guardian("sam"), "SamPark")
    argon2_calls.update(verify=0, hash=0)
    results = await asyncio.gather(*(
        sign_in("SamPark", f"guess {n}", ip=f"10.0.0.{n}", user_agent="race", previous_session=None)
        for n in range(RACERS)))
    assert argon2_calls["verify"] <= FAILURES_ALLOWED
    assert sum(r.problem == "wrong" for r in results) == FAILURES_ALLOWED
    assert sum(r.problem == "throttled" for r in results) == RACERS - FAILURES_ALLOWED
    # The right password, too, waits for the window: it is not verified either.
    late = await sign_in("SamPark", PASSWORD, ip="10.0.1.1", user_agent="race", previous_session=None)
    assert late.problem == "throttled"


async def test_one_client_trying_one_password_against_many_usernames_is_limited(database, district, argon2_calls,
                                                                                monkeypatch):
    from app.services import sign_in as sign_in_module

    monkeypatch.setattr(sign_in_module, "CLIENT_FAILURES_ALLOWED", 7)
    results = await asyncio.gather(*(
        sign_in_module.sign_in(f"Parent{n}", "Summer2026!", ip="203.0.113.9", user_agent="spray",
                               previous_session=None)
        for n in range(40)))
    assert argon2_calls["verify"] <= 7
    assert sum(r.problem == "client-throttled" for r in results) == 40 - 7
    # Another address is not affected, and an IPv6 client is counted by its /64.
    other = await sign_in_module.sign_in("Parent1", "x", ip="198.51.100.1", user_agent="", previous_session=None)
    assert other.problem == "wrong"
    for n in range(7):
        await sign_in_module.sign_in(f"Six{n}", "x", ip=f"2001:db8:1:2::{n + 1}", user_agent="", previous_session=None)
    same_64 = await sign_in_module.sign_in("Six9", "x", ip="2001:db8:1:2:ffff::1", user_agent="",
                                           previous_session=None)
    assert same_64.problem == "client-throttled"


async def test_the_whole_portal_has_a_failure_limit_too(database, district, argon2_calls, monkeypatch):
    from app.services import sign_in as sign_in_module

    monkeypatch.setattr(sign_in_module, "PORTAL_FAILURES_ALLOWED", 9)
    results = await asyncio.gather(*(
        sign_in_module.sign_in(f"Parent{n}", "Summer2026!", ip=f"192.0.2.{n}", user_agent="spray",
                               previous_session=None)
        for n in range(40)))
    assert argon2_calls["verify"] <= 9
    assert sum(r.problem == "portal-throttled" for r in results) == 40 - 9


async def test_a_right_password_gives_its_reservations_back(database, district, monkeypatch):
    from app.services import sign_in as sign_in_module

    monkeypatch.setattr(sign_in_module, "CLIENT_FAILURES_ALLOWED", 3)
    await make_account(district.guardian("sam"), "SamPark")
    results = [await sign_in_module.sign_in("SamPark", PASSWORD, ip="203.0.113.5", user_agent="",
                                            previous_session=None) for _ in range(10)]
    remember_sessions(results)
    assert all(r.session_token for r in results)  # ten families behind one address signing in: no limit


async def test_parallel_wrong_current_passwords_make_at_most_ten_checks(database, district, argon2_calls):
    from app.services.credentials import WRONG_PASSWORDS_ALLOWED, check_current_password

    account = await make_account(district.guardian("sam"), "SamPark")
    argon2_calls.update(verify=0, hash=0)
    errors = await asyncio.gather(*(check_current_password(account, f"guess {n}", ip="127.0.0.1")
                                    for n in range(RACERS)))
    assert all(errors)
    assert argon2_calls["verify"] <= WRONG_PASSWORDS_ALLOWED


async def test_parallel_wrong_keys_from_one_address_then_a_right_key_still_redeems(database, district):
    from app.services.activation import KEY_PROBLEMS, WRONG_KEYS_ALLOWED, check_activation_key

    good = await issue_key(district.guardian("rosa"))
    wrong = [f"2222-3333-4444-6666-7777-9999-CCCC-{n:04d}".replace("0", "D").replace("1", "F").replace("5", "H")
             .replace("8", "J") for n in range(RACERS)]
    checks = await asyncio.gather(*(check_activation_key(key, ip="198.51.100.7") for key in wrong))
    messages = [c.errors[0].message for c in checks]
    assert messages.count(KEY_PROBLEMS["unknown"]) == WRONG_KEYS_ALLOWED
    assert messages.count(KEY_PROBLEMS["throttled"]) == RACERS - WRONG_KEYS_ALLOWED
    # The family with the right key at the same sign-up night is not punished.
    accepted = await asyncio.gather(*(check_activation_key(good, ip="198.51.100.7") for _ in range(5)))
    assert all(c.key_id for c in accepted)


async def test_parallel_key_requests_for_one_student_number_leave_the_portal_at_most_the_limit_to_decide(database, district):
    from app.rules.key_requests import KeyRequestDetails
    from app.services.key_requests import REQUESTS_PER_STUDENT_NUMBER, request_key_online
    from app.tables import KeyRequest

    details = KeyRequestDetails(requester_name="Someone", relationship="parent", email="x@example.org",
                                phone="+14045550100", student_number="S-ana", ssn="123456789",
                                birth_date=date(2015, 1, 1))
    leaks.remember("123456789", leaks.SSN)
    await asyncio.gather(*(request_key_online(details, ip=f"192.0.2.{n}", language="en") for n in range(20)))
    # Every one recorded; at most the limit's number for the portal to decide, the rest for staff only.
    assert await KeyRequest.count() == 20
    assert await KeyRequest.count().where(KeyRequest.decision_reason == "") == REQUESTS_PER_STUDENT_NUMBER


async def test_parallel_reset_requests_for_one_account_send_at_most_the_hourly_limit(database, district, deliver):
    from app.services.recovery import request_password_reset
    from app.services.recovery_mail import RESET_EMAILS_PER_HOUR
    from app.tables import OutboxEmail

    await make_account(district.guardian("sam"), "SamPark")
    await asyncio.gather(*(request_password_reset("SamPark", ip="127.0.0.1") for _ in range(20)))
    await deliver()  # the mail worker looks the account up and counts (app/services/recovery_mail.py)
    assert await OutboxEmail.count().where(OutboxEmail.kind == "password-reset") == RESET_EMAILS_PER_HOUR


async def test_parallel_username_requests_for_one_address_send_at_most_the_daily_limit(database, district,
                                                                                         deliver):
    from app.services.recovery import request_username_reminder
    from app.tables import OutboxEmail, UserAccount
    from tests.integration.district import SHARED_EMAIL

    await make_account(district.guardian("rosa"), "RosaR")
    results = await asyncio.gather(*(request_username_reminder(SHARED_EMAIL, ip="127.0.0.1") for _ in range(12)))
    await deliver()
    assert await OutboxEmail.count().where(OutboxEmail.kind == "username-reminder") == 5
    assert sum(r.over_limit for r in results) == 7
    assert await UserAccount.count().where(UserAccount.locked_until.is_not_null()) == 1


async def test_parallel_email_changes_send_at_most_the_hourly_limit_of_links(database, district):
    from app.services.household import EMAIL_LINKS_PER_HOUR, request_email_change
    from app.services.sessions import SignedInAccount
    from app.tables import EmailChange, UserAccount

    account = await make_account(district.guardian("sam"), "SamPark")
    row = await UserAccount.select().where(UserAccount.id == account).first()
    guardian = SignedInAccount(id=account, username="SamPark", role="guardian", person_id=row["person"],
                               school_id=None, language="en")
    await asyncio.gather(*(request_email_change(guardian, f"sam{n}@example.org", PASSWORD, ip="127.0.0.1")
                           for n in range(20)))
    assert await EmailChange.count() == EMAIL_LINKS_PER_HOUR
