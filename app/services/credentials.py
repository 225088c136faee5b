"""What every change of credentials shares: asking for the current password again before a change to
anything used for sign-in or recovery (docs/security.md G7), and storing a new password (after a reset
link or on the account page) with its consequences: other sessions end and the parent is told."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from app.mail.outbox import enqueue_email
from app.rules.errors import N_, FieldError
from app.services import audit, rate_limits, sessions
from app.services.password_hashing import hashing
from app.services.preferences import load_preferences
from app.services.sign_in import clear_sign_in_failures
from app.tables import UserAccount

# Someone who finds a signed-in phone cannot guess the password at leisure on the account page.
WRONG_PASSWORDS_ALLOWED = 10
WRONG_PASSWORD_WINDOW = timedelta(minutes=15)


def _throttle_key(account_id: int) -> str:
    return f"current-password:{account_id}"


async def check_current_password(account_id: int, password: str, *, ip: str) -> FieldError | None:
    """None when `password` is the account's password; otherwise the error for the Current Password field."""
    if not password:
        return FieldError("current_password", N_("Enter your current password"))
    # Reserved before the verification (issue 9): parallel guesses cannot all be verified.
    tally = await rate_limits.hit(_throttle_key(account_id), clock.now() + WRONG_PASSWORD_WINDOW)
    if tally.count > WRONG_PASSWORDS_ALLOWED:
        return FieldError("current_password", N_(
            "Too many wrong passwords. Wait 15 minutes and try again, or log out and use Forgot Your Password?"))
    row = await UserAccount.select(UserAccount.password_hash).where(UserAccount.id == account_id).first()
    if await hashing().verify(row["password_hash"] if row else None, password):
        await rate_limits.release(_throttle_key(account_id))
        return None
    await audit.record("current-password.wrong", account=account_id, actor=account_id, ip=ip)
    return FieldError("current_password", N_("Your current password is not right. Check it and try again"))


async def store_new_password(account: dict, password_hash: str, *, keep_session: int | None = None) -> None:
    """Inside the caller's transaction: the new hash, every session but `keep_session` ended, the failure
    counters started again (docs/security.md D4; a username-recovery lock stays, docs/design.md §4.6) and a "your
    password was changed" email to the address on file. `account` has id, username, language, email."""
    now = clock.now()
    await UserAccount.update({UserAccount.password_hash: password_hash, UserAccount.password_changed_at: now}).where(
        UserAccount.id == account["id"]
    )
    await sessions.end_sessions_of(account["id"], except_session=keep_session)
    await clear_sign_in_failures(account["id"])
    await rate_limits.clear(_throttle_key(account["id"]))
    if account["email"]:
        prefs = await load_preferences()
        await enqueue_email(
            "password-changed",
            account["email"],
            {"portal_name": prefs.portal_name, "district_name": prefs.district_name,
             "username": account["username"], "help_phone": prefs.help_phone,
             "when": now, "time_zone": prefs.time_zone,
             "account_id": account["id"]},  # whose account (app/services/mail_access.py rule 3)
            language=account["language"],
        )
