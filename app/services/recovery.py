"""Forgot password (docs/design.md §4.5) and forgot username (§4.6).

Replies never say whether an account or address exists, and do the same work either way: they record
the request, and the mail worker does the lookup and the email (app/services/recovery_mail.py). Links
are built from HOMEROOM_PUBLIC_URL, never from the request. Mail goes only to the address on file, never
to what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app import clock, i18n
from app.database import transaction
from app.mail.outbox import enqueue_request
from app.rules.district_day import next_district_midnight
from app.rules.emails import normalise_email
from app.rules.errors import N_, FieldError
from app.rules.passwords import password_errors
from app.rules.tokens import token_digest
from app.services import audit, rate_limits
from app.services.activation import password_policy
from app.services.credentials import store_new_password
from app.services.mail_access import exposed_children
from app.services.password_hashing import hashing
from app.services.preferences import load_preferences
from app.services.recovery_mail import PASSWORD_RESET_REQUEST, USERNAME_LOCK_REQUEST, USERNAME_REMINDER_REQUEST
from app.tables import PasswordResetToken, UserAccount

MOST_TYPED = 320  # characters of the identifier kept for the worker (the longest email address)


async def request_password_reset(identifier: str, *, ip: str) -> None:
    """Record the request: the mail worker looks the account up and sends the link
    (app/services/recovery_mail.py), so this reply does the same work whether or not the account exists
    (issue 9 item 3). What was typed waits sealed, and is dropped once the request is handled."""
    await enqueue_request(PASSWORD_RESET_REQUEST, {"identifier": identifier.strip()[:MOST_TYPED], "ip": ip})


async def reset_username(token_id: int) -> str | None:
    """The username of the account a reset link is for (the reset page names it: a shared mailbox gets one link
    per account, and the page did not say which one it was: a parent tester's find)."""
    row = await PasswordResetToken.select(PasswordResetToken.account.username.as_alias("username")).where(
        PasswordResetToken.id == token_id).first()
    return row["username"] if row else None


async def find_reset_token(token: str) -> int | None:
    """The id of a reset token that can still be used, or None."""
    if not token or len(token) > 100:
        return None
    row = await PasswordResetToken.select(
        PasswordResetToken.id,
        PasswordResetToken.created_at,
        PasswordResetToken.account.password_changed_at.as_alias("password_changed_at"),
        PasswordResetToken.account.person.as_alias("person"),
        PasswordResetToken.account.person.email.as_alias("email"),
    ).where(
        (PasswordResetToken.token_hash == token_digest(token))
        & PasswordResetToken.used_at.is_null()
        & PasswordResetToken.superseded_at.is_null()
        & (PasswordResetToken.expires_at > clock.now())
    ).first()
    # A password change since the link was sent makes the link useless (docs/security.md E5).
    if row is None or row["created_at"] < row["password_changed_at"]:
        return None
    # Nor while the mailbox it went to is read by a guardian whose access to one of the account's children is
    # off, however that came to be since it was sent (app/services/mail_access.py rule 3).
    if row["person"] is not None and await exposed_children(row["person"], row["email"]):
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
    requests_left: int = 0  # today, for this address, before the next one locks or stops (issue 13 item 2)


async def request_username_reminder(typed_address: str, *, ip: str) -> UsernameReminder:
    address = normalise_email(typed_address)
    if address is None:  # an empty box is not "the wrong format" (a tester's find)
        return UsernameReminder(errors=[FieldError("email", N_("Enter your email address") if not typed_address.strip()
                                                   else N_("Enter an email address in the right format, like "
                                                           "name@example.com"))])
    prefs = await load_preferences()
    now = clock.now()
    day_ends = next_district_midnight(now, prefs.time_zone)
    lock_accounts = prefs.username_lock_scope == "account"
    # Counted per address whether or not it is on file, so the reply tells nothing about which are.
    tally = await rate_limits.hit("username-reminder:" + rate_limits.typed_digest("username-reminder", address),
                                  day_ends)  # a digest: what was typed is not kept (issue 9)
    limit = prefs.username_reminders_per_day
    if tally.count > limit:
        if tally.count == limit + 1:  # the worker locks (or only stops): one INSERT here either way
            await enqueue_request(USERNAME_LOCK_REQUEST, {"address": address, "ip": ip, "until": day_ends,
                                                          "lock_accounts": lock_accounts})
        return UsernameReminder(over_limit=True, locks_accounts=lock_accounts, until=day_ends)
    # The worker looks the address up and emails the usernames (app/services/recovery_mail.py).
    await enqueue_request(USERNAME_REMINDER_REQUEST, {"address": address, "ip": ip,
                                                      "language": i18n.current_language()})
    return UsernameReminder(until=day_ends, locks_accounts=lock_accounts, requests_left=max(0, limit - tally.count))
