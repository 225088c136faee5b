"""Passing the second step in tests (issue 14): give an account an authenticator app with a known secret,
and work out a code the portal will take. A code is accepted once, for one 30-second step; the portal takes
the step before and after the current one too, so `next_code` picks the first step after the last one used
that is still in that window (two sign-ins of one account within 30 seconds work without waiting)."""

from __future__ import annotations

import pyotp


async def give_authenticator(account_id: int, secret: str | None = None) -> str:
    """A confirmed TOTP factor for the account, as if it had enrolled; returns the secret."""
    from app import clock
    from app.services.sealing import seal
    from app.tables import TotpFactor

    secret = secret or pyotp.random_base32()
    await TotpFactor.delete().where(TotpFactor.account == account_id)
    await TotpFactor.insert(TotpFactor(account=account_id, secret_sealed=seal(secret), created_at=clock.now(),
                                       confirmed_at=clock.now(), last_step=0))
    return secret


async def next_code(account_id: int) -> str | None:
    """A code the portal accepts now for the account (never one it already took); None when every code of
    the drift window was used (then advance the test's clock, or use `one_recovery_code`)."""
    from app import clock
    from app.services.second_factor import VALID_WINDOW
    from app.services.sealing import unseal
    from app.tables import TotpFactor

    factor = await TotpFactor.objects().where(
        (TotpFactor.account == account_id) & TotpFactor.confirmed_at.is_not_null()).first()
    assert factor is not None, "the account has no authenticator app"
    totp = pyotp.TOTP(unseal(factor.secret_sealed))
    current = totp.timecode(clock.now())
    step = max(current - VALID_WINDOW, factor.last_step + 1)
    return totp.generate_otp(step) if step <= current + VALID_WINDOW else None


async def one_recovery_code(account_id: int) -> str:
    """A fresh recovery code for the account (added to its others)."""
    from app import clock
    from app.rules.second_factor import new_recovery_codes, normalise_recovery_code
    from app.services.second_factor import recovery_digest
    from app.tables import RecoveryCode

    [code] = new_recovery_codes(1)
    await RecoveryCode.insert(RecoveryCode(account=account_id, created_at=clock.now(),
                                           code_digest=recovery_digest(account_id, normalise_recovery_code(code))))
    return code


async def pass_second_step(portal, response):
    """After a right password: answer the second step the way a person with the app would. Returns (the
    response that signed in, False), or (None, True) when the account had to enrol: it has an app now, and
    the caller logs in again."""
    location = response.headers.get("location") or response.headers.get("hx-redirect") or ""
    if location not in ("/sign-in/code", "/sign-in/enrol"):
        return response, False
    waiting = await _waiting_account(portal)
    if location == "/sign-in/enrol":
        await give_authenticator(waiting)
        return None, True
    code = await next_code(waiting) or await one_recovery_code(waiting)
    return await portal.post("/sign-in/code", {"code": code}), False


async def _waiting_account(portal) -> int:
    """The account the portal's session holds between the password and the code."""
    import json

    from app.rules.tokens import token_digest
    from app.tables import WebSession

    row = await WebSession.select(WebSession.data).where(
        WebSession.token_hash == token_digest(portal.session_cookie)).first()
    return json.loads(row["data"])["second_step"]["account"]


def code_at_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).generate_otp(step)
