"""The household change queue (docs/design.md §5): staff approve a guardian's new address (applied to the
household and queued for the SIS) or deny it with a reason, and export the approved changes as CSV."""

from __future__ import annotations

from dataclasses import dataclass, field

from app import clock
from app.database import transaction
from app.rules.errors import N_, FieldError
from app.rules.key_requests import decision_reason_errors
from app.services import audit
from app.services.sessions import SignedInAccount
from app.services.sis_sync import record_approved_address
from app.services.staff_scope import household_changes_in_scope, within
from app.tables import Household, HouseholdChangeRequest


def _household_changes(staff: SignedInAccount):
    query = HouseholdChangeRequest.select(
        HouseholdChangeRequest.id, HouseholdChangeRequest.address_line1, HouseholdChangeRequest.address_line2,
        HouseholdChangeRequest.city, HouseholdChangeRequest.state, HouseholdChangeRequest.postal_code,
        HouseholdChangeRequest.created_at, HouseholdChangeRequest.status, HouseholdChangeRequest.decision_reason,
        HouseholdChangeRequest.household.name.as_alias("household_name"),
        HouseholdChangeRequest.household.address_line1.as_alias("old_line1"),
        HouseholdChangeRequest.household.address_line2.as_alias("old_line2"),
        HouseholdChangeRequest.household.city.as_alias("old_city"),
        HouseholdChangeRequest.household.state.as_alias("old_state"),
        HouseholdChangeRequest.household.postal_code.as_alias("old_postal_code"),
        HouseholdChangeRequest.requested_by.username.as_alias("requested_by"),
        HouseholdChangeRequest.requested_by.person.given_name.as_alias("requester_given_name"),
        HouseholdChangeRequest.requested_by.person.family_name.as_alias("requester_family_name"),
    )
    return within(query, household_changes_in_scope(staff))


async def pending_household_changes(staff: SignedInAccount) -> list[dict]:
    return await _household_changes(staff).where(HouseholdChangeRequest.status == "pending").order_by(
        HouseholdChangeRequest.created_at)


async def household_change_for_staff(staff: SignedInAccount, change_id: int) -> dict | None:
    return await _household_changes(staff).where(HouseholdChangeRequest.id == change_id).first()


@dataclass(frozen=True)
class HouseholdDecision:
    done: bool = False
    errors: list[FieldError] = field(default_factory=list)


async def decide_household_change(staff: SignedInAccount, change_id: int, approve: bool, typed_reason: str, *,
                                  ip: str) -> HouseholdDecision | None:
    """Approve (the new address is applied to the household) or deny with a reason. None: not found."""
    query = HouseholdChangeRequest.objects().where(HouseholdChangeRequest.id == change_id)
    change = await within(query, household_changes_in_scope(staff)).first()
    if change is None:
        return None
    reason, errors = ("", []) if approve else decision_reason_errors(typed_reason)
    if errors:
        return HouseholdDecision(errors=errors)
    now = clock.now()
    async with transaction():
        claimed = await HouseholdChangeRequest.update({
            HouseholdChangeRequest.status: "approved" if approve else "denied",
            HouseholdChangeRequest.decided_at: now, HouseholdChangeRequest.decided_by: staff.id,
            HouseholdChangeRequest.decision_reason: reason,
        }).where((HouseholdChangeRequest.id == change.id) & (HouseholdChangeRequest.status == "pending")).returning(
            HouseholdChangeRequest.id)
        if not claimed:
            return HouseholdDecision(errors=[FieldError("reason", N_("This change has already been decided"))])
        if approve:
            await record_approved_address(change, staff.id, now)
            await Household.update({
                Household.address_line1: change.address_line1, Household.address_line2: change.address_line2,
                Household.city: change.city, Household.state: change.state,
                Household.postal_code: change.postal_code,
            }).where(Household.id == change.household)
        await audit.record("household-change.approved" if approve else "household-change.denied", actor=staff.id,
                           account=change.requested_by, ip=ip,
                           detail=f"change={change.id} household={change.household}" + (
                               f" reason={reason}" if reason else ""))
    return HouseholdDecision(done=True)


async def export_household_changes(staff: SignedInAccount, *, ip: str) -> str:
    """The approved changes as CSV for the SIS (the same file as `homeroom export household-changes`).
    A disclosure of addresses, so it is recorded (FERPA §99.32)."""
    from io import StringIO

    from app.exports.household_changes import write_household_changes

    out = StringIO(newline="")
    count = await write_household_changes(out, for_spreadsheet=True)
    await audit.record("household-change.exported", actor=staff.id, ip=ip, detail=f"rows={count}")
    return out.getvalue()

