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


async def next_code(account_id: int) -> str:
    """A code the portal accepts now for the account (never one it already took)."""
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
    assert step <= current + VALID_WINDOW, "every code of this window was used: advance the test's clock"
    return totp.generate_otp(step)


def code_at_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).generate_otp(step)
