"""Issuing activation keys (docs/design.md §4.2): to one guardian, one-time, expiring, stored only as a digest.
Issuing revokes the guardian's older unused keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app import clock
from app.database import transaction
from app.rules.activation_keys import key_digest, new_key, normalise_key
from app.services import audit
from app.services.eligibility import is_eligible_guardian
from app.services.preferences import load_preferences
from app.tables import ActivationKey, Person, UserAccount


class KeyRefused(ValueError):
    """The guardian cannot be given a key; the message says why, for staff or the CLI."""


class NoSuchGuardian(KeyRefused):
    """No guardian has the sourcedId given (the command line named nobody)."""


@dataclass(frozen=True)
class IssuedKey:
    key: str
    guardian_id: int
    guardian_name: str
    guardian_email: str | None
    expires_at: datetime


async def _revoke_unused_keys(guardian_id: int, now: datetime) -> None:
    await ActivationKey.update({ActivationKey.revoked_at: now}).where(
        (ActivationKey.guardian == guardian_id)
        & ActivationKey.used_at.is_null()
        & ActivationKey.revoked_at.is_null()
    )


async def issue_key(guardian: Person, *, how: str, issued_by: int | None = None,
                    photo_id_type: str | None = None, ip: str = "") -> IssuedKey:
    """Call inside a transaction. Raises KeyRefused for a guardian who cannot hold an account."""
    if guardian.kind != "guardian" or not await is_eligible_guardian(guardian.id):
        raise KeyRefused("not an eligible guardian: needs the guardian and portal flags on a link to an "
                         "actively enrolled student")
    if await UserAccount.exists().where(UserAccount.person == guardian.id):
        raise KeyRefused("already has a portal account: use Forgot Your Password or Username instead")
    prefs = await load_preferences()
    now = clock.now()
    key = new_key()
    await _revoke_unused_keys(guardian.id, now)
    expires_at = now + timedelta(days=prefs.key_lifetime_days)
    await ActivationKey.insert(
        ActivationKey(
            key_hash=key_digest(normalise_key(key)),
            guardian=guardian.id,
            issued_how=how,
            issued_by=issued_by,
            photo_id_type=photo_id_type,
            created_at=now,
            expires_at=expires_at,
        )
    )
    await audit.record("key.issued", actor=issued_by, person=guardian.id, ip=ip,
                       detail=f"how={how}" + (f" photo_id={photo_id_type}" if photo_id_type else ""))
    return IssuedKey(key, guardian.id, f"{guardian.given_name} {guardian.family_name}", guardian.email, expires_at)


async def issue_key_for(guardian_source_id: str, *, how: str = "letter") -> IssuedKey:
    """`homeroom keys issue`: a key to be given in a sealed letter (or in person). Refused for a guardian within
    reach of one whose access is off (app/services/key_reach.py): that key would be refused at redemption."""
    from app.services.key_reach import key_within_reach

    guardian = await Person.objects().where(Person.source_id == guardian_source_id).first()
    if guardian is None:
        raise NoSuchGuardian(f"no guardian with sourcedId {guardian_source_id!r}")
    if guardian.kind == "guardian" and await key_within_reach(guardian.id, how):
        raise KeyRefused("a guardian whose portal access to one of their children is off (or set to be) is listed "
                         "at their home or reads their email, and could use the key: give them a key at the office "
                         "(staff console, photo ID)")
    async with transaction():
        return await issue_key(guardian, how=how)
