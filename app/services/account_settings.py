"""The account page (docs/design.md §4.10): change password, language, sign out everywhere, recent sign-ins."""

from __future__ import annotations

from dataclasses import dataclass, field

from app import clock
from app.rules.devices import device_of
from app.database import transaction
from app.i18n import LANGUAGES
from app.rules.errors import N_, FieldError
from app.rules.passwords import password_errors
from app.services import audit, sessions
from app.services.activation import password_policy
from app.services.credentials import check_current_password, store_new_password
from app.services.password_hashing import hashing
from app.services.sessions import SignedInAccount
from app.tables import AuditEvent, UserAccount, WebSession

SIGN_IN_EVENTS = ("login.succeeded", "login.failed", "second-factor.failed")
RECENT_SIGN_INS = 10


@dataclass(frozen=True)
class SettingChange:
    errors: list[FieldError] = field(default_factory=list)


async def change_password(guardian: SignedInAccount, session_id: int, current_password: str, password: str,
                          verify: str, *, ip: str) -> SettingChange:
    """Needs the current password; the new one follows the activation rules. Every other session ends,
    this one stays, and the address on file is told."""
    errors = password_errors(password, verify, username=guardian.username, policy=await password_policy())
    if not current_password:
        errors.insert(0, FieldError("current_password", N_("Enter your current password")))
    elif not errors:
        problem = await check_current_password(guardian.id, current_password, ip=ip)
        if problem:
            errors.insert(0, problem)
        elif password == current_password:
            errors.append(FieldError("password", N_("Choose a password different from your current one")))
    if errors:
        return SettingChange(errors=errors)
    new_hash = await hashing().hash(password)
    account = await UserAccount.select(UserAccount.id, UserAccount.username, UserAccount.language,
                                       UserAccount.person.email.as_alias("email")).where(
        UserAccount.id == guardian.id).first()
    if account["email"] is None:  # staff: their contact address (issue 14)
        from app.services.second_factor import account_address

        account["email"] = ((await account_address(guardian.id)) or {}).get("email")
    async with transaction():
        await store_new_password(account, new_hash, keep_session=session_id)
        await audit.record("password.changed", actor=guardian.id, account=guardian.id, ip=ip)
    return SettingChange()


async def change_language(guardian: SignedInAccount, language: str, *, ip: str) -> SettingChange:
    if language not in LANGUAGES:
        return SettingChange(errors=[FieldError("language", N_("Choose a language from the list"))])
    if language != guardian.language:
        async with transaction():
            await UserAccount.update({UserAccount.language: language}).where(UserAccount.id == guardian.id)
            await audit.record("language.changed", actor=guardian.id, account=guardian.id, ip=ip, detail=language)
    return SettingChange()


async def sign_out_everywhere(guardian: SignedInAccount, *, ip: str) -> None:
    """Every session of the account ends, this one included."""
    async with transaction():
        await sessions.end_sessions_of(guardian.id)
        await audit.record("account.signed-out-everywhere", actor=guardian.id, account=guardian.id, ip=ip)


async def recent_sign_ins(guardian: SignedInAccount) -> list[dict]:
    """The last sign-ins and failed attempts for the account, newest first, with time, device and IP."""
    rows = await AuditEvent.select(AuditEvent.at, AuditEvent.action, AuditEvent.ip, AuditEvent.detail,
                                   AuditEvent.browser, AuditEvent.system).where(
        (AuditEvent.account == guardian.id) & AuditEvent.action.is_in(list(SIGN_IN_EVENTS))
    ).order_by(AuditEvent.at, ascending=False).order_by(AuditEvent.id, ascending=False).limit(RECENT_SIGN_INS)
    return [{"at": r["at"], "ip": r["ip"], "succeeded": r["action"] == "login.succeeded",
             "how": r["detail"] if r["action"] == "login.succeeded" else r["action"],
             "device": r["device"]} for r in audit.with_devices(rows)]


SESSIONS_PAGE = 5  # of the at most 10 an account holds (sessions.SESSIONS_PER_ACCOUNT)


@dataclass(frozen=True)
class LiveSessions:
    sessions: list[dict]  # this device's first (on the first page), then the newest
    older: int | None = None  # the cursor for the next page, None on the last


async def current_sessions(guardian: SignedInAccount, this_session: int, *, before: int | None = None) -> LiveSessions:
    """The account's sessions that are still live, a page at a time (issue 13 item 13): this one first, then
    the others newest first; each page reads at most SESSIONS_PAGE + 1 rows past the cursor."""
    now = clock.now()
    live = (WebSession.account == guardian.id) & (WebSession.expires_at > now) & (
        WebSession.last_seen_at > now - sessions.IDLE_LIMIT)
    columns = (WebSession.id, WebSession.created_at, WebSession.last_seen_at, WebSession.ip, WebSession.user_agent)
    others = WebSession.select(*columns).where(live & (WebSession.id != this_session))
    if before is not None:
        others = others.where(WebSession.id < before)
    rows = await others.order_by(WebSession.id, ascending=False).limit(SESSIONS_PAGE + 1)
    page = [{**r, "is_this": False, "device": device_of(r["user_agent"])} for r in rows[:SESSIONS_PAGE]]
    if before is None:
        this = await WebSession.select(*columns).where(WebSession.id == this_session).first()
        if this:
            page.insert(0, {**this, "is_this": True, "device": device_of(this["user_agent"])})
    return LiveSessions(page, rows[SESSIONS_PAGE - 1]["id"] if len(rows) > SESSIONS_PAGE else None)
