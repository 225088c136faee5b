"""Logging in and out (DESIGN §4.1). Every attempt costs exactly one password verification, whether or
not the username exists, and failures are counted per username in the database (QUALITY §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app import clock
from app.database import transaction
from app.rules.usernames import is_well_formed, username_key
from app.services import audit, rate_limits, sessions
from app.services.password_hashing import hashing
from app.tables import UserAccount

FAILURES_ALLOWED = 10
FAILURE_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class SignInResult:
    session_token: str | None = None
    role: str | None = None
    problem: str | None = None  # "wrong" | "throttled" | "locked"
    until: datetime | None = None


def login_throttle_key(username: str) -> str:
    return f"login:{username_key(username)[:64]}"


async def sign_in(username: str, password: str, *, ip: str, user_agent: str,
                  previous_session: int | None) -> SignInResult:
    throttle_key = login_throttle_key(username)
    tally = await rate_limits.current(throttle_key)
    if tally and tally.count >= FAILURES_ALLOWED:
        await audit.record("login.throttled", ip=ip, detail=username[:64])
        return SignInResult(problem="throttled", until=tally.window_ends_at)

    account = None
    if is_well_formed(username.strip()):
        account = await UserAccount.objects().where(UserAccount.username_key == username_key(username)).first()
    password_ok = await hashing().verify(account.password_hash if account else None, password)

    if not password_ok or account is None or account.disabled:
        async with transaction():
            await rate_limits.hit(throttle_key, clock.now() + FAILURE_WINDOW)
            await audit.record("login.failed", account=account.id if account else None, ip=ip,
                               detail="" if account else username[:64])
        return SignInResult(problem="wrong")

    now = clock.now()
    if account.locked_until is not None and account.locked_until > now:
        await audit.record("login.refused-locked", account=account.id, ip=ip)
        return SignInResult(problem="locked", until=account.locked_until)

    new_hash = await hashing().hash(password) if hashing().needs_rehash(account.password_hash) else None
    async with transaction():
        await rate_limits.clear(throttle_key)
        if new_hash:
            await UserAccount.update({UserAccount.password_hash: new_hash}).where(UserAccount.id == account.id)
        if previous_session is not None:
            await sessions.end_session(previous_session)
        token = await sessions.start_session(account_id=account.id, ip=ip, user_agent=user_agent)
        await audit.record("login.succeeded", account=account.id, actor=account.id, ip=ip)
    return SignInResult(session_token=token, role=account.role)


async def sign_out(session: sessions.CurrentSession, *, ip: str) -> None:
    async with transaction():
        await sessions.end_session(session.id)
        if session.account:
            await audit.record("logout", account=session.account.id, actor=session.account.id, ip=ip)
