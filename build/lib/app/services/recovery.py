"""Forgot password (DESIGN §4.5) and forgot username (§4.6).

Replies never say whether an account or address exists. Links are built from HOMEROOM_PUBLIC_URL, never
from the request. Mail goes only to the address on file, never to what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app import clock
from app.database import transaction
from app.mail.outbox import enqueue_email
from app.rules.district_day import next_district_midnight
from app.rules.emails import normalise_email
from app.rules.errors import N_, FieldError
from app.rules.passwords import password_errors
from app.rules.tokens import new_token, token_digest
from app.rules.usernames import is_well_formed, username_key
from app.services import audit, rate_limits
from app.services.activation import password_policy
from app.services.credentials import store_new_password
from app.services.password_hashing import hashing
from app.services.preferences import load_preferences
from app.settings import get_settings
from app.tables import PasswordResetToken, UserAccount

RESET_EMAILS_PER_HOUR = 5  # per account: stops anyone from flooding a parent's inbox with reset links


async def _accounts_for(identifier: str) -> list[dict]:
    """Active accounts matched by username or by the email on file, with that email."""
    columns = (UserAccount.id, UserAccount.username, UserAccount.language,
               UserAccount.person.email.as_alias("email"))
    if "@" in identifier:
        address = normalise_email(identifier)
        if address is None:
            return []
        where = UserAccount.person.email == address
    elif is_well_formed(identifier):
        where = UserAccount.username_key == username_key(identifier)
    else:
        return []
    rows = await UserAccount.select(*columns).where(where & (UserAccount.disabled == False))  # noqa: E712
    return [r for r in rows if r["email"]]


async def request_password_reset(identifier: str, *, ip: str) -> None:
    identifier = identifier.strip()
    prefs = await load_preferences()
    settings = get_settings()
    for account in await _accounts_for(identifier):
        now = clock.now()
        tally = await rate_limits.hit(f"password-reset:{account['id']}", now + timedelta(hours=1))
        if tally.count > RESET_EMAILS_PER_HOUR:
            await audit.record("password-reset.refused", account=account["id"], ip=ip, detail="hourly limit")
            continue
        token = new_token()
        async with transaction():
            await PasswordResetToken.update({PasswordResetToken.superseded_at: now}).where(
                (PasswordResetToken.account == account["id"])
                & PasswordResetToken.used_at.is_null()
                & PasswordResetToken.superseded_at.is_null()
            )
            await PasswordResetToken.insert(
                PasswordResetToken(
                    token_hash=token_digest(token),
                    account=account["id"],
                    created_at=now,
                    expires_at=now + timedelta(minutes=prefs.reset_link_minutes),
                )
            )
            await enqueue_email(
                "password-reset",
                account["email"],
                {
                    "portal_name": prefs.portal_name,
                    "district_name": prefs.district_name,
                    "username": account["username"],
                    "link": f"{settings.public_url}/reset/{token}",
                    "minutes": prefs.reset_link_minutes,
                    "help_phone": prefs.help_phone,
                },
                language=account["language"],
            )
            await audit.record("password-reset.requested", account=account["id"], ip=ip)


async def find_reset_token(token: str) -> int | None:
    """The id of a reset token that can still be used, or None."""
    if not token or len(token) > 100:
        return None
    row = await PasswordResetToken.select(
        PasswordResetToken.id,
        PasswordResetToken.created_at,
        PasswordResetToken.account.password_changed_at.as_alias("password_changed_at"),
    ).where(
        (PasswordResetToken.token_hash == token_digest(token))
        & PasswordResetToken.used_at.is_null()
        & PasswordResetToken.superseded_at.is_null()
        & (PasswordResetToken.expires_at > clock.now())
    ).first()
    # A password change since the link was sent makes the link useless (security note E5).
    if row is None or row["created_at"] < row["password_changed_at"]:
        return None
    return row["id"]


@dataclass(frozen=True)
class PasswordReset:
    done: bool = False
    errors: list[FieldError] = field(default_factory=list)
    link_gone: bool = False


async def reset_password(token_id: int, password: str, verify: str, *, ip: str) -> PasswordReset:
    account = await UserAccount.select(UserAccount.id, UserAccount.username, UserAccount.language,
                                       UserAccount.person.email.as_alias("email")).where(
        UserAccount.id.is_in(PasswordResetToken.select(PasswordResetToken.account).where(
            PasswordResetToken.id == token_id))
    ).first()
    if account is None:
        return PasswordReset(link_gone=True)
    errors = password_errors(password, verify, username=account["username"], policy=await password_policy())
    if errors:
        return PasswordReset(errors=errors)
    new_hash = await hashing().hash(password)
    now = clock.now()
    async with transaction():
        claimed = await PasswordResetToken.update({PasswordResetToken.used_at: now}).where(
            (PasswordResetToken.id == token_id)
            & PasswordResetToken.used_at.is_null()
            & PasswordResetToken.superseded_at.is_null()
            & (PasswordResetToken.expires_at > now)
        ).returning(PasswordResetToken.id)
        if not claimed:
            return PasswordReset(link_gone=True)
        await store_new_password(account, new_hash)
        await audit.record("password-reset.completed", account=account["id"], actor=account["id"], ip=ip)
    return PasswordReset(done=True)


@dataclass(frozen=True)
class UsernameReminder:
    errors: list[FieldError] = field(default_factory=list)
    over_limit: bool = False
    locks_accounts: bool = False
    until: datetime | None = None


async def request_username_reminder(typed_address: str, *, ip: str) -> UsernameReminder:
    address = normalise_email(typed_address)
    if address is None:
        return UsernameReminder(errors=[FieldError("email", N_(
            "Enter an email address in the right format, like name@example.com"))])
    prefs = await load_preferences()
    now = clock.now()
    day_ends = next_district_midnight(now, prefs.time_zone)
    lock_accounts = prefs.username_lock_scope == "account"
    # Counted per address whether or not it is on file, so the reply tells nothing about which are.
    tally = await rate_limits.hit(f"username-reminder:{address}", day_ends)
    limit = prefs.username_reminders_per_day
    if tally.count > limit:
        if tally.count == limit + 1:
            async with transaction():
                ids = [r["id"] for r in await UserAccount.select(UserAccount.id).where(
                    UserAccount.person.email == address)]
                if ids and lock_accounts:
                    await UserAccount.update({UserAccount.locked_until: day_ends}).where(UserAccount.id.is_in(ids))
                for account_id in ids:
                    await audit.record("username-reminder.locked" if lock_accounts else "username-reminder.stopped",
                                       account=account_id, ip=ip)
        return UsernameReminder(over_limit=True, locks_accounts=lock_accounts, until=day_ends)
    accounts = await UserAccount.select(UserAccount.id, UserAccount.username, UserAccount.language).where(
        (UserAccount.person.email == address) & (UserAccount.disabled == False)  # noqa: E712
    ).order_by(UserAccount.username)
    if accounts:
        async with transaction():
            await enqueue_email(
                "username-reminder",
                address,
                {"portal_name": prefs.portal_name, "district_name": prefs.district_name,
                 "usernames": [a["username"] for a in accounts], "login_url": f"{get_settings().public_url}/",
                 "help_phone": prefs.help_phone},
                language=accounts[0]["language"],
            )
            for account in accounts:
                await audit.record("username-reminder.sent", account=account["id"], ip=ip)
    return UsernameReminder(until=day_ends)


