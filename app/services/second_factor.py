"""The second factor (issue 14): an authenticator app (TOTP, RFC 6238), ten single-use recovery codes, and
browsers trusted for 30 days.

Sign-in is two steps when the account has a factor: `sign_in` checks the password and asks
`step_after_password` whether a second step is needed; the web layer keeps the half-signed-in account in the
server-side session, and `verify_second_step` + `finish_sign_in` complete it with a NEW session (the one that
held the pending step ends: session fixation). Codes have their own throttle, reserved before the code is
checked; a code is never accepted twice (the newest accepted 30-second step is stored).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pyotp
import segno
from markupsafe import Markup

from app import clock
from app.database import transaction
from app.rules.devices import device_of
from app.mail.outbox import enqueue_email
from app.rules.errors import N_, FieldError
from app.rules.second_factor import (TRUSTED_FOR, new_recovery_codes, normalise_recovery_code,
                                     normalise_totp_code, second_factor_required)
from app.rules.tokens import new_token, token_digest
from app.services import audit, rate_limits, sessions
from app.services.credentials import check_current_password
from app.services.preferences import load_preferences
from app.services.sealing import keyed_digest, seal, unseal
from app.tables import Person, RecoveryCode, StaffContact, TotpFactor, TrustedBrowser, UserAccount

TRIES_ALLOWED = 5
TRY_WINDOW = timedelta(minutes=15)
PENDING_FOR = timedelta(minutes=10)  # the password was right this long ago at most
ENROLMENT_FOR = timedelta(minutes=30)  # a secret shown but not yet confirmed is kept this long
VALID_WINDOW = 1  # one 30-second step either side, for phone clocks that drift
RECOVERY_PURPOSE = b"recovery codes"

# How a sign-in was completed: the audit event's detail, and what "recent sign-ins" says.
HOW_PASSWORD = ""
HOW_TOTP = "second-factor=totp"
HOW_RECOVERY = "second-factor=recovery-code"
HOW_TRUSTED = "second-factor=trusted-browser"
HOW_PASSKEY = "passkey"


def recovery_digest(account_id: int, normalised_code: str) -> str:
    """Keyed, and bound to the account (two accounts may hold the same code)."""
    return keyed_digest(RECOVERY_PURPOSE, f"{account_id}:{normalised_code}")


def throttle_key(account_id: int) -> str:
    return f"second-factor:{account_id}"


# --- whether a second step is needed --------------------------------------------------------------------

@dataclass(frozen=True)
class StepNeeded:
    kind: str | None  # "code": type a code; "enrol": set up an app first (required for the role); None
    detail: str = HOW_PASSWORD  # for the audit event when no step is needed


async def has_second_factor(account_id: int) -> bool:
    return await TotpFactor.exists().where((TotpFactor.account == account_id) & TotpFactor.confirmed_at.is_not_null())


async def step_after_password(account_id: int, role: str, trusted_token: str | None) -> StepNeeded:
    """Called by sign_in once the password is right and the account may sign in."""
    if await has_second_factor(account_id):
        if trusted_token and await is_trusted(account_id, trusted_token):
            return StepNeeded(None, HOW_TRUSTED)
        return StepNeeded("code")
    if second_factor_required(role, await load_preferences()):
        return StepNeeded("enrol")
    return StepNeeded(None)


async def finish_sign_in(account_id: int, *, how: str, ip: str, user_agent: str,
                         previous_session: int | None, data: dict | None = None) -> str:
    """After the second step: the pending session ends and a new one starts (the token for the cookie)."""
    async with transaction():
        if previous_session is not None:
            await sessions.end_session(previous_session)
        token = await sessions.start_session(account_id=account_id, ip=ip, user_agent=user_agent, data=data)
        await audit.record("login.succeeded", account=account_id, actor=account_id, ip=ip, detail=how,
                           device=device_of(user_agent))
    return token


# --- checking a code ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CodeCheck:
    how: str | None = None  # HOW_TOTP or HOW_RECOVERY when the code was accepted
    problem: str | None = None  # "empty" | "wrong" | "reused" | "throttled"
    until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.how is not None


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret)


def matching_step(secret: str, code: str, at: datetime) -> int | None:
    """The 30-second step (within the drift window) whose code is `code`, or None."""
    totp = _totp(secret)
    current = totp.timecode(at)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


async def _accept_step(factor_id: int, step: int) -> bool:
    """Atomically move the factor's newest accepted step forward; False when `step` was already used."""
    moved = await TotpFactor.update({TotpFactor.last_step: step}).where(
        (TotpFactor.id == factor_id) & (TotpFactor.last_step < step)).returning(TotpFactor.id)
    return bool(moved)


async def _use_recovery_code(account_id: int, code: str) -> bool:
    used = await RecoveryCode.update({RecoveryCode.used_at: clock.now()}).where(
        (RecoveryCode.account == account_id) & (RecoveryCode.code_digest == recovery_digest(account_id, code))
        & RecoveryCode.used_at.is_null()).returning(RecoveryCode.id)
    return bool(used)


async def _reserve_try(account_id: int, *, ip: str) -> CodeCheck | None:
    """Count this try before the code is checked (so parallel guesses cannot pass the limit)."""
    tally = await rate_limits.hit(throttle_key(account_id), clock.now() + TRY_WINDOW)
    if tally.count > TRIES_ALLOWED:
        await audit.record("second-factor.throttled", account=account_id, ip=ip)
        return CodeCheck(problem="throttled", until=tally.window_ends_at)
    return None


async def verify_second_step(account_id: int, typed: str, *, ip: str, user_agent: str) -> CodeCheck:
    """An authenticator code, or a recovery code (each works once)."""
    if not typed.strip():
        return CodeCheck(problem="empty")
    refused = await _reserve_try(account_id, ip=ip)
    if refused:
        return refused
    check = await _check_code(account_id, typed)
    if check.ok:
        await rate_limits.clear(throttle_key(account_id))
    else:
        await audit.record("second-factor.failed", account=account_id, ip=ip, detail=check.problem or "",
                           device=device_of(user_agent))
    return check


async def _check_code(account_id: int, typed: str) -> CodeCheck:
    code = normalise_totp_code(typed)
    if code is not None:
        factor = await TotpFactor.objects().where(
            (TotpFactor.account == account_id) & TotpFactor.confirmed_at.is_not_null()).first()
        secret = unseal(factor.secret_sealed) if factor else None
        step = matching_step(secret, code, clock.now()) if secret else None
        if step is None:
            return CodeCheck(problem="wrong")
        if step <= factor.last_step or not await _accept_step(factor.id, step):
            return CodeCheck(problem="reused")
        return CodeCheck(how=HOW_TOTP)
    recovery = normalise_recovery_code(typed)
    if recovery is not None and await _use_recovery_code(account_id, recovery):
        return CodeCheck(how=HOW_RECOVERY)
    return CodeCheck(problem="wrong")


def code_error(check: CodeCheck, time_zone: str) -> FieldError:
    from app import i18n

    if check.problem == "empty":
        return FieldError("code", N_("Enter the 6-digit code from your authenticator app, or a recovery code"))
    if check.problem == "reused":
        return FieldError("code", N_("That code was already used. Wait for the next code in your app and enter it"))
    if check.problem == "throttled":
        return FieldError("code", N_("Too many wrong codes. Try again after %(until)s, or call the help phone"),
                          {"until": i18n.format_moment(check.until, time_zone)})
    return FieldError("code", N_("That code is not right. Check the app shows this portal and try again"))


# --- trusted browsers -----------------------------------------------------------------------------------

async def trust_browser(account_id: int, user_agent: str) -> str:
    token = new_token()
    now = clock.now()
    await TrustedBrowser.insert(TrustedBrowser(token_hash=token_digest(token), account=account_id, created_at=now,
                                               expires_at=now + TRUSTED_FOR, user_agent=user_agent[:255]))
    return token


async def is_trusted(account_id: int, token: str) -> bool:
    if not token or len(token) > 100:
        return False
    return await TrustedBrowser.exists().where(
        (TrustedBrowser.token_hash == token_digest(token)) & (TrustedBrowser.account == account_id)
        & (TrustedBrowser.expires_at > clock.now()))


async def forget_trusted_browsers(account_id: int) -> None:
    await TrustedBrowser.delete().where(TrustedBrowser.account == account_id)


# --- enrolment ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str
    qr_svg: Markup

    @property
    def grouped_secret(self) -> str:
        """The secret in groups of four, easier to copy by hand."""
        return " ".join(self.secret[i:i + 4] for i in range(0, len(self.secret), 4))


def _qr_svg(uri: str, label: str) -> Markup:
    """The QR code as inline SVG: no script, no image request, one path (about 3 KB)."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, light="#fff", dark="#000", omitsize=False)
    svg = svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)
    title = str(Markup.escape(label))
    return Markup(svg.replace(">", f"><title>{title}</title>", 1))


async def enrolment_for(account_id: int, username: str, qr_label: str) -> Enrolment:
    """The secret being set up (a new one, or the one shown a moment ago so a reload shows the same)."""
    now = clock.now()
    pending = await TotpFactor.objects().where(
        (TotpFactor.account == account_id) & TotpFactor.confirmed_at.is_null()
        & (TotpFactor.created_at > now - ENROLMENT_FOR)).order_by(TotpFactor.id, ascending=False).first()
    secret = unseal(pending.secret_sealed) if pending else None
    if secret is None:
        secret = pyotp.random_base32()
        async with transaction():
            await TotpFactor.delete().where((TotpFactor.account == account_id) & TotpFactor.confirmed_at.is_null())
            await TotpFactor.insert(TotpFactor(account=account_id, secret_sealed=seal(secret), created_at=now))
    prefs = await load_preferences()
    uri = _totp(secret).provisioning_uri(name=username, issuer_name=prefs.portal_name)
    return Enrolment(secret=secret, uri=uri, qr_svg=_qr_svg(uri, qr_label))


@dataclass(frozen=True)
class EnrolResult:
    recovery_codes: list[str] = field(default_factory=list)
    check: CodeCheck | None = None


async def confirm_enrolment(account_id: int, typed: str, *, ip: str, user_agent: str) -> EnrolResult:
    """The first code from the app proves it was set up: the factor is confirmed (replacing any older one),
    ten new recovery codes are made (returned once, kept as digests), trusted browsers are forgotten."""
    code = normalise_totp_code(typed)
    if code is None:
        return EnrolResult(check=CodeCheck(problem="empty" if not typed.strip() else "wrong"))
    refused = await _reserve_try(account_id, ip=ip)
    if refused:
        return EnrolResult(check=refused)
    now = clock.now()
    pending = await TotpFactor.objects().where(
        (TotpFactor.account == account_id) & TotpFactor.confirmed_at.is_null()
        & (TotpFactor.created_at > now - ENROLMENT_FOR)).order_by(TotpFactor.id, ascending=False).first()
    secret = unseal(pending.secret_sealed) if pending else None
    step = matching_step(secret, code, now) if secret else None
    if step is None:
        await audit.record("second-factor.failed", account=account_id, ip=ip, detail="enrolment",
                           device=device_of(user_agent))
        return EnrolResult(check=CodeCheck(problem="wrong"))
    codes = new_recovery_codes()
    async with transaction():
        await TotpFactor.delete().where((TotpFactor.account == account_id) & (TotpFactor.id != pending.id))
        await TotpFactor.update({TotpFactor.confirmed_at: now, TotpFactor.last_step: step}).where(
            TotpFactor.id == pending.id)
        await _replace_recovery_codes(account_id, codes)
        await forget_trusted_browsers(account_id)
        await rate_limits.clear(throttle_key(account_id))
        await audit.record("second-factor.enrolled", account=account_id, actor=account_id, ip=ip)
        await notify(account_id, "added")
    return EnrolResult(recovery_codes=codes)


async def _replace_recovery_codes(account_id: int, codes: list[str]) -> None:
    now = clock.now()
    await RecoveryCode.delete().where(RecoveryCode.account == account_id)
    await RecoveryCode.insert(*(RecoveryCode(account=account_id, created_at=now,
                                             code_digest=recovery_digest(account_id, normalise_recovery_code(c)))
                                for c in codes))


async def recovery_codes_left(account_id: int) -> int:
    return await RecoveryCode.count().where((RecoveryCode.account == account_id) & RecoveryCode.used_at.is_null())


# --- changes from the account page (current password needed; the address on file is told) ---------------

@dataclass(frozen=True)
class FactorChange:
    errors: list[FieldError] = field(default_factory=list)
    recovery_codes: list[str] = field(default_factory=list)


async def new_recovery_codes_for(account_id: int, current_password: str, *, ip: str) -> FactorChange:
    problem = await check_current_password(account_id, current_password, ip=ip)
    if problem:
        return FactorChange(errors=[problem])
    if not await has_second_factor(account_id):
        return FactorChange(errors=[FieldError("current_password", N_("Set up an authenticator app first"))])
    codes = new_recovery_codes()
    async with transaction():
        await _replace_recovery_codes(account_id, codes)
        await audit.record("second-factor.recovery-codes-replaced", account=account_id, actor=account_id, ip=ip)
        await notify(account_id, "recovery-codes")
    return FactorChange(recovery_codes=codes)


async def remove_second_factor(account_id: int, role: str, current_password: str, *, ip: str) -> FactorChange:
    """Only where the district does not require one for the account's role."""
    if second_factor_required(role, await load_preferences()):
        return FactorChange(errors=[FieldError("current_password", N_(
            "Your district requires a second factor for your account: you can replace it, not remove it"))])
    problem = await check_current_password(account_id, current_password, ip=ip)
    if problem:
        return FactorChange(errors=[problem])
    async with transaction():
        await _remove_everything(account_id)
        await audit.record("second-factor.removed", account=account_id, actor=account_id, ip=ip)
        await notify(account_id, "removed")
    return FactorChange()


async def _remove_everything(account_id: int) -> None:
    await TotpFactor.delete().where(TotpFactor.account == account_id)
    await RecoveryCode.delete().where(RecoveryCode.account == account_id)
    await forget_trusted_browsers(account_id)
    await rate_limits.clear(throttle_key(account_id))


async def reset_second_factor(account_id: int, *, actor: int, ip: str, detail: str) -> None:
    """Inside the caller's transaction: staff removed the factor (after checking who is asking)."""
    await _remove_everything(account_id)
    await sessions.end_sessions_of(account_id)
    await audit.record("second-factor.reset", account=account_id, actor=actor, ip=ip, detail=detail)
    await notify(account_id, "reset")


# --- telling the account's owner -------------------------------------------------------------------------

async def account_address(account_id: int) -> dict | None:
    """username, language and the email for security notices: a guardian's address on file, a staff
    member's contact address. None when the account has none."""
    row = await UserAccount.select(UserAccount.username, UserAccount.language, UserAccount.person).where(
        UserAccount.id == account_id).first()
    if row is None:
        return None
    email = None
    if row["person"] is not None:
        person = await Person.select(Person.email).where(Person.id == row["person"]).first()
        email = person["email"] if person else None
    else:
        contact = await StaffContact.select(StaffContact.email).where(StaffContact.account == account_id).first()
        email = contact["email"] if contact else None
    return {"username": row["username"], "language": row["language"], "email": email} if email else None


async def notify(account_id: int, change: str) -> None:
    """Inside the caller's transaction: "added" | "removed" | "reset" | "recovery-codes" | "passkey-added" |
    "passkey-removed"."""
    address = await account_address(account_id)
    if address is None:
        return
    prefs = await load_preferences()
    await enqueue_email("sign-in-changed", address["email"], {
        "portal_name": prefs.portal_name, "district_name": prefs.district_name, "username": address["username"],
        "help_phone": prefs.help_phone, "when": clock.now(), "time_zone": prefs.time_zone, "change": change,
        "account_id": account_id,  # whose account (app/services/mail_access.py rule 3)
    }, language=address["language"])
