"""Logging in and out (docs/design.md §4.1). Every attempt costs exactly one password verification, whether or
not the username exists, and failures are counted in the database (docs/quality.md §4).

Three limits, each reserved BEFORE the password is verified (issue 9; app/services/rate_limits.py), so
parallel guesses cannot all be verified against a count that has not been written yet:
- per username: FAILURES_ALLOWED in FAILURE_WINDOW (the guessing of one parent's password);
- per client (address, or IPv6 /64): CLIENT_FAILURES_ALLOWED (one password tried against many usernames
  from one place); high enough for a school's sign-in night or a carrier's NAT;
- for the whole portal: PORTAL_FAILURES_ALLOWED (the same spread over many addresses). A circuit breaker:
  when it trips every sign-in waits for the window to end, so it sits far above the busiest real day.
A right password gives its reservations back; a wrong one keeps them (they are the failure count).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app import clock
from app.database import transaction
from app.rules.devices import device_of
from app.rules.emails import normalise_email
from app.rules.usernames import is_well_formed, username_key
from app.services import audit, rate_limits, sessions
from app.services.password_hashing import hashing
from app.tables import UserAccount

FAILURES_ALLOWED = 10
FAILURE_WINDOW = timedelta(minutes=15)
CLIENT_FAILURES_ALLOWED = 100
# A district of 150,000 guardians sees a few hundred failed sign-ins in its busiest quarter hour (the
# first school week); a password sprayed across every username at the hashing pool's ~80/s would be ~70,000.
PORTAL_FAILURES_ALLOWED = 2000


@dataclass(frozen=True)
class SignInResult:
    session_token: str | None = None
    role: str | None = None
    language: str | None = None  # the account's, so the device's own choice can be offered (issue 13 item 1)
    problem: str | None = None  # "wrong" | "throttled" | "client-throttled" | "portal-throttled" | "locked"
    until: datetime | None = None
    second_step: str | None = None  # "code" | "enrol": the password was right; a second factor comes next
    account_id: int | None = None  # with second_step: whose sign-in waits for it


def login_throttle_key(username: str) -> str:
    """Per username, as a keyed digest: what was typed is not kept (it may be a password)."""
    return "login:" + rate_limits.typed_digest("login", username_key(username))


def email_throttle_key(address: str) -> str:
    """Per email address typed in the username box (`address` normalised: app/rules/emails.py), as a keyed digest."""
    return "login-email:" + rate_limits.typed_digest("login", address)


def _name_key(typed: str) -> str:
    """The per-name limit's key: what was typed, an email address by its normalised form, so every spelling of an
    address (upper case, a full-width letter, a Unicode or punycode domain) shares one count whether or not it is on
    file. The username and the email of one account are counted apart: counted together (the account's count for an
    address on file), ten failures under the username made the first try of the address refused only when it was
    that account's (a retester's find), and the text as typed gave an unknown address's spellings each their own
    count while an address on file's shared one (an attacker's find). So an account can be tried ten times under
    its username and ten under its email address in a window, within the client's and the portal's limits."""
    if not is_well_formed(typed.strip()) and "@" in typed:
        address = normalise_email(typed)
        if address is not None:
            return email_throttle_key(address)
    return login_throttle_key(typed)


def _limits(typed: str, ip: str) -> list[tuple[str, int, str]]:
    return [(_name_key(typed), FAILURES_ALLOWED, "throttled"),
            (f"login-client:{rate_limits.client_of(ip)}", CLIENT_FAILURES_ALLOWED, "client-throttled"),
            ("login-portal", PORTAL_FAILURES_ALLOWED, "portal-throttled")]


def _failure_keys(username: str, email: str | None) -> list[str]:
    """An account's failure counts' keys: under its username, and under its email address on file (if any)."""
    address = normalise_email(email or "")
    return [login_throttle_key(username), *([email_throttle_key(address)] if address is not None else [])]


async def clear_sign_in_failures(account_id: int) -> None:
    """Start an account's failure counts again (its sign-in, a staff unlock or reset, a new password): under its
    username and under the email address on file."""
    account = await UserAccount.select(UserAccount.username, UserAccount.person.email).where(
        UserAccount.id == account_id).first()
    if account is None:
        return
    for key in _failure_keys(account["username"], account["person.email"]):
        await rate_limits.clear(key)


async def sign_in_blocked_until(username: str, email: str | None) -> datetime | None:
    """When the sign-in of the account with this username and email on file opens again after FAILURES_ALLOWED
    wrong passwords (under either), or None when it is not blocked: for the staff console, which shows it with
    Unlock (a clerk could not see why a parent was refused: a tester's find). `clear_sign_in_failures` ends it."""
    tallies = [tally for tally in [await rate_limits.current(key) for key in _failure_keys(username, email)]
               if tally is not None and tally.count >= FAILURES_ALLOWED]
    return max((tally.window_ends_at for tally in tallies), default=None)


async def _reserve(limits: list[tuple[str, int, str]], *, ip: str, username: str) -> SignInResult | None:
    """One reservation under every limit; None when all have room. Past a limit the reservations already
    taken are given back (the attempt is refused unverified) and the refusal is the result."""
    window_ends = clock.now() + FAILURE_WINDOW
    taken: list[str] = []
    for key, allowed, problem in limits:
        tally = await rate_limits.hit(key, window_ends)
        if tally.count > allowed:
            for earlier in taken:
                await rate_limits.release(earlier)
            await audit.record("login.throttled", ip=ip, detail=_who(username, None) + f" ({problem})")
            return SignInResult(problem=problem, until=tally.window_ends_at)
        taken.append(key)
    return None


def _who(username: str, account: UserAccount | None) -> str:
    """What the audit log keeps of a username: nothing when it names an account (the event has it), a
    keyed digest when it names none (it may be a password typed into the wrong box)."""
    return "" if account else "unknown username " + rate_limits.typed_digest("login", username_key(username))[:12]


async def _account_for(typed: str) -> UserAccount | None:
    """The account a parent means: by username, or by the email on file when it belongs to exactly one
    account (issue 13 item 8: parents type their email as their username)."""
    if is_well_formed(typed.strip()):
        return await UserAccount.objects().where(UserAccount.username_key == username_key(typed)).first()
    address = normalise_email(typed) if "@" in typed else None
    if address is None:
        return None
    accounts = await UserAccount.objects().where(UserAccount.person.email == address).limit(2)
    return accounts[0] if len(accounts) == 1 else None


async def sign_in(username: str, password: str, *, ip: str, user_agent: str,
                  previous_session: int | None, trusted_browser: str | None = None) -> SignInResult:
    account = await _account_for(username)
    limits = _limits(username, ip)
    refused = await _reserve(limits, ip=ip, username=username)
    if refused:
        return refused

    checked = await hashing().check(account.password_hash if account else None, password)
    device = device_of(user_agent)  # for the account page's recent sign-ins: the device in words, not the header

    if not checked.ok or account is None or account.disabled:
        await audit.record("login.failed", account=account.id if account else None, ip=ip,
                           detail=_who(username, account), device=device)
        return SignInResult(problem="wrong")

    now = clock.now()
    if account.locked_until is not None and account.locked_until > now:
        for key, _, _ in limits:  # the right password: not a failure
            await rate_limits.release(key)
        await audit.record("login.refused-locked", account=account.id, ip=ip)
        return SignInResult(problem="locked", until=account.locked_until)

    new_hash = await hashing().hash(password) if checked.rehash else None
    # Issue 14: a second factor plugs in here, after the password (app/services/second_factor.py).
    from app.services.second_factor import step_after_password

    step = await step_after_password(account.id, account.role, trusted_browser)
    async with transaction():
        await clear_sign_in_failures(account.id)  # under its username and its email address alike
        for key, _, _ in limits[1:]:
            await rate_limits.release(key)
        if new_hash:
            await UserAccount.update({UserAccount.password_hash: new_hash}).where(UserAccount.id == account.id)
        if step.kind:
            await audit.record("login.password-accepted", account=account.id, actor=account.id, ip=ip,
                               detail=f"next={step.kind}")
            return SignInResult(second_step=step.kind, account_id=account.id, role=account.role,
                                language=account.language)
        if previous_session is not None:
            await sessions.end_session(previous_session)
        token = await sessions.start_session(account_id=account.id, ip=ip, user_agent=user_agent)
        await audit.record("login.succeeded", account=account.id, actor=account.id, ip=ip, detail=step.detail,
                           device=device)
    return SignInResult(session_token=token, role=account.role, language=account.language)


async def sign_out(session: sessions.CurrentSession, *, ip: str) -> None:
    async with transaction():
        await sessions.end_session(session.id)
        if session.account:
            await audit.record("logout", account=session.account.id, actor=session.account.id, ip=ip)
