"""Staff accounts over their life (issue 14): district admins list, create, disable, re-enable and reset
them, in the console or with `homeroom staff ...`. Every change is audited (the admin as actor; none from
the command line). Disabling ends the account's sessions at once; a reset gives a new temporary password,
ends the sessions and removes the second factor, so the person sets one up again at their next sign-in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from app import clock
from app.database import engine, transaction
from app.rules.emails import normalise_email
from app.rules.errors import N_, FieldError
from app.rules.passwords import password_errors
from app.rules.usernames import username_errors, username_key
from app.services import audit, sessions
from app.services.activation import password_policy
from app.services.password_hashing import hashing
from app.services.second_factor import reset_second_factor
from app.services.sessions import SignedInAccount
from app.services.sign_in import clear_sign_in_failures
from app.tables import AuditEvent, School, StaffContact, TotpFactor, UserAccount

STAFF_ROLES = ("school-staff", "district-admin")
ACTIONS = ("disable", "enable", "reset")
# A username someone already has: what the district's data refuses, not a mistake in what was typed.
USERNAME_TAKEN = N_("That username is taken. Choose another")
TEMPORARY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"


async def schools() -> list[dict]:
    """Every school, by name, with the sourcedId the SIS gave it (for the console's list and the CLI)."""
    return await School.select(School.id, School.source_id, School.name, School.status).order_by(School.name)


def temporary_password(length: int = 16) -> str:
    """Random, readable aloud, with lower, upper, digit and symbol, so it passes any district policy."""
    while True:
        raw = "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(length))
        text = "-".join(raw[i:i + 4] for i in range(0, length, 4))
        if any(c.islower() for c in raw) and any(c.isupper() for c in raw) and any(c.isdigit() for c in raw):
            return text


async def create_staff_account(username: str, password: str, role: str, school_source_id: str | None, *,
                               email: str = "", actor: int | None = None, ip: str = "") -> list[FieldError]:
    """A school-staff account belongs to one school; a district admin to none. Password rules are the
    district's (docs/design.md §4.4). Returns the problems, or [] when the account was created."""
    username = username.strip()
    errors = username_errors(username)
    if role not in STAFF_ROLES:
        errors.append(FieldError("role", N_("Use one of: %(choices)s"), {"choices": ", ".join(STAFF_ROLES)}))
    school = None
    if role == "school-staff" and not (school_source_id or "").strip():
        errors.append(FieldError("school", N_("School staff need --school with the sourcedId of their school "
                                              "(`homeroom schools list` shows them)")))
    elif role == "school-staff":
        school = await School.select(School.id).where(School.source_id == school_source_id.strip()).first()
        if school is None:
            errors.append(FieldError("school", N_("There is no school with sourcedId %(id)s (`homeroom schools list` "
                                                  "shows them)"), {"id": school_source_id.strip()[:80]}))
    elif school_source_id:
        errors.append(FieldError("school", N_("A district admin works for every school: leave out --school")))
    address = None
    if email.strip():
        address = normalise_email(email)
        if address is None:
            errors.append(FieldError("email", N_("Enter an email address like name@example.com")))
    errors += password_errors(password, password, username=username, policy=await password_policy())
    if not errors and await UserAccount.exists().where(UserAccount.username_key == username_key(username)):
        errors.append(FieldError("username", USERNAME_TAKEN))
    if errors:
        return errors
    password_hash = await hashing().hash(password)
    now = clock.now()
    async with transaction():
        account = UserAccount(username=username, username_key=username_key(username), password_hash=password_hash,
                              role=role, school=school["id"] if school else None, created_at=now,
                              password_changed_at=now)
        await account.save()
        if address:
            await StaffContact.insert(StaffContact(account=account.id, email=address))
        await audit.record("staff.created", account=account.id, actor=actor, ip=ip, detail=f"role={role}")
    return []


@dataclass(frozen=True)
class Created:
    account_id: int | None = None
    temporary_password: str = ""
    errors: list[FieldError] = field(default_factory=list)


async def create_from_console(admin: SignedInAccount, typed: dict[str, str], *, ip: str) -> Created:
    """The console's form: username, role, school (from the list), contact email; the password is a
    temporary one, shown to the admin once."""
    errors = username_errors(typed["username"].strip())
    if typed["role"] not in STAFF_ROLES:
        errors.append(FieldError("role", N_("Choose a role")))
    elif typed["role"] == "school-staff" and not typed["school"]:
        errors.append(FieldError("school", N_("Choose the school this person works for")))
    if errors:
        return Created(errors=errors)
    password = temporary_password()
    errors = await create_staff_account(typed["username"], password, typed["role"],
                                        typed["school"] if typed["role"] == "school-staff" else None,
                                        email=typed["email"], actor=admin.id, ip=ip)
    if errors:
        # The command line's wording names --school; the console has a list.
        return Created(errors=[FieldError("school", N_("Choose the school this person works for"))
                               if e.field == "school" else e for e in errors])
    row = await UserAccount.select(UserAccount.id).where(UserAccount.username_key == username_key(typed["username"])
                                                         ).first()
    return Created(account_id=row["id"], temporary_password=password)


# --- finding -------------------------------------------------------------------------------------------

async def list_staff() -> list[dict]:
    """Every staff account with its school, state, whether it has a second factor, and its last sign-in."""
    rows = await UserAccount.select(
        UserAccount.id, UserAccount.username, UserAccount.role, UserAccount.disabled, UserAccount.created_at,
        UserAccount.school.name.as_alias("school_name"), UserAccount.school.source_id.as_alias("school_source_id"),
    ).where(UserAccount.role.is_in(list(STAFF_ROLES))).order_by(UserAccount.username_key)
    ids = [r["id"] for r in rows]
    with_factor = {r["account"] for r in await TotpFactor.select(TotpFactor.account).where(
        TotpFactor.account.is_in(ids) & TotpFactor.confirmed_at.is_not_null())} if ids else set()
    last = {}
    if ids:
        for event in await AuditEvent.select(AuditEvent.account, AuditEvent.at).where(
                AuditEvent.account.is_in(ids) & (AuditEvent.action == "login.succeeded")).order_by(AuditEvent.at):
            last[event["account"]] = event["at"]
    return [{**r, "second_factor": r["id"] in with_factor, "last_sign_in": last.get(r["id"])} for r in rows]


async def staff_detail(account_id: int) -> dict | None:
    found = [r for r in await list_staff() if r["id"] == account_id]
    if not found:
        return None
    detail = found[0]
    contact = await StaffContact.select(StaffContact.email).where(StaffContact.account == account_id).first()
    detail["email"] = contact["email"] if contact else None
    detail["sign_ins"] = audit.with_devices(await AuditEvent.select(
        AuditEvent.at, AuditEvent.action, AuditEvent.ip, AuditEvent.detail, AuditEvent.browser,
        AuditEvent.system).where(
        (AuditEvent.account == account_id) & AuditEvent.action.is_in(
            ["login.succeeded", "login.failed", "second-factor.failed", "logout"])
    ).order_by(AuditEvent.at, ascending=False).order_by(AuditEvent.id, ascending=False).limit(20))
    return detail


async def staff_id_for(username: str) -> int | None:
    row = await UserAccount.select(UserAccount.id).where(
        (UserAccount.username_key == username_key(username.strip())) & UserAccount.role.is_in(list(STAFF_ROLES))
    ).first()
    return row["id"] if row else None


# --- disable, enable, reset ----------------------------------------------------------------------------

@dataclass(frozen=True)
class StaffChange:
    done: str | None = None  # "disabled" | "enabled" | "reset" | "already-disabled" | "already-enabled"
    temporary_password: str = ""  # after a reset: shown once
    errors: list[FieldError] = field(default_factory=list)


LAST_ADMIN = N_("This is the only active district admin: enable or create another district admin first, so "
                "someone can still manage the portal")


async def _other_active_admins(account_id: int) -> int:
    """The active district admins besides `account_id`, inside the caller's transaction. On PostgreSQL their rows
    are locked, so two admins disabled at once cannot each count the other as the one left (SQLite's write lock,
    taken when the transaction began, does the same there)."""
    lock = " FOR UPDATE" if engine().engine_type == "postgres" else ""
    rows = await UserAccount.raw("SELECT id FROM user_account WHERE role = 'district-admin' AND NOT disabled"
                                 + lock)
    return sum(1 for row in rows if row["id"] != account_id)


async def change_staff_account(account_id: int, action: str, *, actor: SignedInAccount | None, ip: str = ""
                               ) -> StaffChange | None:
    """None: no such staff account (or no such action). Disabling an account that is already disabled, or
    enabling one that is enabled, changes nothing and says so; the last active district admin is never
    disabled (nobody could manage staff or preferences afterwards)."""
    if action not in ACTIONS:
        return None
    target = await UserAccount.select(UserAccount.id, UserAccount.username, UserAccount.role).where(
        (UserAccount.id == account_id) & UserAccount.role.is_in(list(STAFF_ROLES))).first()
    if target is None:
        return None
    if actor is not None and actor.id == account_id and action != "enable":
        return StaffChange(errors=[FieldError("action", N_(
            "You cannot disable or reset your own account. Ask another district admin"))])
    actor_id = actor.id if actor else None
    async with transaction():
        disabled = (await UserAccount.select(UserAccount.disabled).where(UserAccount.id == account_id).first()
                    )["disabled"]
        if action == "disable":
            if disabled:
                return StaffChange(done="already-disabled")
            if target["role"] == "district-admin" and not await _other_active_admins(account_id):
                return StaffChange(errors=[FieldError("action", LAST_ADMIN)])
            await UserAccount.update({UserAccount.disabled: True}).where(UserAccount.id == account_id)
            await sessions.end_sessions_of(account_id)
            await audit.record("staff.disabled", account=account_id, actor=actor_id, ip=ip)
            return StaffChange(done="disabled")
        if action == "enable":
            if not disabled:
                return StaffChange(done="already-enabled")
            await UserAccount.update({UserAccount.disabled: False}).where(UserAccount.id == account_id)
            await audit.record("staff.enabled", account=account_id, actor=actor_id, ip=ip)
            return StaffChange(done="enabled")
    password = temporary_password()
    password_hash = await hashing().hash(password)
    async with transaction():
        await UserAccount.update({UserAccount.password_hash: password_hash,
                                  UserAccount.password_changed_at: clock.now(),
                                  UserAccount.locked_until: None}).where(UserAccount.id == account_id)
        await clear_sign_in_failures(account_id)
        await reset_second_factor(account_id, actor=actor_id, ip=ip, detail="staff account reset")
        await audit.record("staff.reset", account=account_id, actor=actor_id, ip=ip)
    return StaffChange(done="reset", temporary_password=password)


# --- a parent's second factor, reset at the office ---------------------------------------------------

async def reset_guardian_second_factor(staff: SignedInAccount, guardian_public_id, photo_id_type: str,
                                       id_checked: bool, *, ip: str) -> list[FieldError] | None:
    """Only after the photo-ID check an in-person key needs (its kind recorded, never its number). The
    parent's sessions end and their address on file is told. None: no such guardian in the staff's scope,
    or no account with a second factor."""
    from app.rules.key_requests import photo_id_errors
    from app.services.second_factor import has_second_factor
    from app.services.staff_scope import person_for_staff

    guardian = await person_for_staff(staff, guardian_public_id, "guardian")
    if guardian is None:
        return None
    account = await UserAccount.select(UserAccount.id).where(UserAccount.person == guardian.id).first()
    if account is None or not await has_second_factor(account["id"]):
        return None
    errors = photo_id_errors(photo_id_type, id_checked, prefix="reset_")
    if errors:
        return errors
    async with transaction():
        await reset_second_factor(account["id"], actor=staff.id, ip=ip, detail=f"photo-id={photo_id_type}")
    return []
