"""Staff helping a guardian at the office (docs/design.md §5): a key issued in person after a photo-ID
check, and the guardian's account unlocked, disabled, enabled or their unused keys revoked. Every action writes
an audit event with the staff account as the actor."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from app import clock
from app.database import transaction
from app.rules.errors import N_, FieldError
from app.rules.key_requests import photo_id_errors
from app.services import audit, sessions
from app.services.activation_keys import IssuedKey, KeyRefused, issue_key
from app.services.sessions import SignedInAccount
from app.services.sign_in import clear_sign_in_failures
from app.services.staff_scope import person_for_staff
from app.tables import ActivationKey, UserAccount


# --- in person -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class InPersonKey:
    issued: IssuedKey | None = None
    errors: list[FieldError] = field(default_factory=list)


async def issue_key_in_person(staff: SignedInAccount, guardian_public_id: UUID, photo_id_type: str,
                              id_checked: bool, *, ip: str) -> InPersonKey | None:
    """A key for a guardian standing at the office, after staff checked a photo ID (its kind is recorded,
    never its number). Issuing revokes the guardian's older unused keys. None: no such guardian."""
    guardian = await person_for_staff(staff, guardian_public_id, "guardian")
    if guardian is None:
        return None
    errors = photo_id_errors(photo_id_type, id_checked)
    if errors:
        return InPersonKey(errors=errors)
    try:
        async with transaction():
            issued = await issue_key(guardian, how="in-person", issued_by=staff.id, photo_id_type=photo_id_type,
                                     ip=ip)
    except KeyRefused as refused:
        message = (N_("This guardian already has an account: help them with Forgot Your Password? or unlock it")
                   if "already has" in str(refused) else
                   N_("This guardian cannot get a key: the guardian and portal flags must be on for a student "
                      "who is enrolled now"))
        return InPersonKey(errors=[FieldError("photo_id_type", message)])
    return InPersonKey(issued=issued)


# --- accounts ------------------------------------------------------------------------------------------

ACCOUNT_ACTIONS = ("unlock", "disable", "enable", "revoke-keys")


async def change_guardian_account(staff: SignedInAccount, guardian_public_id: UUID, action: str, *,
                                  ip: str) -> str | None:
    """Unlock, disable or enable a guardian's account, or revoke their unused keys. Returns what happened
    (a notice name), or None when there is no such guardian in scope."""
    guardian = await person_for_staff(staff, guardian_public_id, "guardian")
    if guardian is None or action not in ACCOUNT_ACTIONS:
        return None
    now = clock.now()
    async with transaction():
        if action == "revoke-keys":
            revoked = await ActivationKey.update({ActivationKey.revoked_at: now}).where(
                (ActivationKey.guardian == guardian.id) & ActivationKey.used_at.is_null()
                & ActivationKey.revoked_at.is_null()
            ).returning(ActivationKey.id)
            await audit.record("key.revoked", actor=staff.id, person=guardian.id, ip=ip,
                               detail=f"count={len(revoked)}")
            return "keys-revoked"
        account = await UserAccount.objects().where(UserAccount.person == guardian.id).first()
        if account is None:
            return "no-account"
        if action == "unlock":
            await UserAccount.update({UserAccount.locked_until: None}).where(UserAccount.id == account.id)
            await clear_sign_in_failures(account.id)
        else:
            await UserAccount.update({UserAccount.disabled: action == "disable"}).where(UserAccount.id == account.id)
            if action == "disable":
                await sessions.end_sessions_of(account.id)
        done = {"unlock": "account.unlocked", "disable": "account.disabled", "enable": "account.enabled"}[action]
        await audit.record(done, actor=staff.id, account=account.id, person=guardian.id, ip=ip)
    return done.replace("account.", "account-")

