"""Forgot password and forgot username do the same work whether or not the account or address exists
(issue 9 item 3), by construction: the reply records the request and the mail worker does the lookup.
Proved by counting, never timing: the SQL statements each reply runs (their text, in order) and the hash
calls it makes (SHA-256/HMAC digests, argon2), for existing and missing identifiers. bench/recovery_timing.py
times the same replies against a real uvicorn."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest

from tests.integration.district import SHARED_EMAIL, make_account

MISSING_EMAIL = "nobody.here@example.org"


@pytest.fixture
def work(monkeypatch):
    """Records every SQL statement (parameters left out) and every hash call while `counting` is on."""
    from app.database import engine
    from app.services.password_hashing import PasswordHashing

    engine_class = type(engine())  # on the class: PostgresEngine's instances take no new attributes
    state = {"on": False, "sql": [], "hashes": []}
    real_run = engine_class.run_querystring

    async def run_querystring(self, querystring, *args, **kwargs):
        if state["on"]:
            template = querystring.__str__()
            state["sql"].append(re.sub(r"'[^']*'|\b\d+\b", "?", template))
        return await real_run(self, querystring, *args, **kwargs)

    monkeypatch.setattr(engine_class, "run_querystring", run_querystring)

    def counted(name, real):
        def call(*args, **kwargs):
            if state["on"]:
                state["hashes"].append(name)
            return real(*args, **kwargs)
        return call

    for name in ("sha256", "sha512", "blake2b"):
        monkeypatch.setattr(hashlib, name, counted(f"hashlib.{name}", getattr(hashlib, name)))
    monkeypatch.setattr(hmac, "new", counted("hmac.new", hmac.new))
    monkeypatch.setattr(hmac, "digest", counted("hmac.digest", hmac.digest))
    for method in ("hash", "verify"):
        monkeypatch.setattr(PasswordHashing, method, counted(f"argon2.{method}", getattr(PasswordHashing, method)))

    class Work:
        async def of(self, reply):
            state.update(on=True, sql=[], hashes=[])
            try:
                response = await reply()
            finally:
                state["on"] = False
            return response, {"sql": list(state["sql"]), "hashes": list(state["hashes"])}

    return Work()


async def _replies(portal, work, path: str, field: str, values: list[str]) -> dict[str, tuple]:
    done = {}
    for value in values:
        await portal.get(path)  # the form first, as a browser does (the session exists before the reply)
        response, spent = await work.of(lambda: portal.post(path, {field: value}))
        assert response.status_code == 303, value
        done[value] = (response.headers["location"], spent)
    return done


async def test_forgot_password_does_the_same_work_for_existing_and_missing_accounts(portal, district, work,
                                                                                    deliver):
    await make_account(district.guardian("rosa"), "RosaR")
    done = await _replies(portal, work, "/forgot-password", "identifier",
                          ["RosaR", "NoSuchUser", SHARED_EMAIL, MISSING_EMAIL, "not an identifier!"])
    first_location, first = done["RosaR"]
    for value, (location, spent) in done.items():
        assert location == first_location
        assert spent == first, f"{value!r} did other work than 'RosaR':\n{spent}\n{first}"
    assert any("outbox_email" in statement for statement in first["sql"])  # the request is recorded...
    assert not any("user_account" in statement for statement in first["sql"])  # ...and nothing looked up
    assert first["hashes"].count("argon2.hash") == 0 and first["hashes"].count("argon2.verify") == 0
    # The worker did the lookups afterwards: one email for the username, one for the address.
    assert [m.to for m in await deliver()] == [SHARED_EMAIL, SHARED_EMAIL]


async def test_forgot_username_does_the_same_work_for_addresses_on_file_and_not(portal, district, work, deliver):
    from app.services.preferences import load_preferences

    await make_account(district.guardian("rosa"), "RosaR")
    limit = (await load_preferences()).username_reminders_per_day
    # The same position in the day's count for both addresses: every reply up to the limit, the one that
    # locks (the worker locks), and one past it.
    for round_number in range(limit + 2):
        done = await _replies(portal, work, "/forgot-username", "email", [SHARED_EMAIL, MISSING_EMAIL])
        (on_file_location, on_file), (missing_location, missing) = done[SHARED_EMAIL], done[MISSING_EMAIL]
        assert on_file_location == missing_location, round_number
        assert on_file == missing, f"reply {round_number + 1}:\n{on_file}\n{missing}"
        assert not any("user_account" in statement for statement in on_file["sql"])
    sent = await deliver()
    assert [m.to for m in sent] == [SHARED_EMAIL] * limit  # only the address on file gets mail
