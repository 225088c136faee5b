"""Changes flowing both ways without fighting (issue 10 item 4): the portal's side.

- `record_portal_change(...)`: called inside the transaction of every change a parent confirms (email,
  phones) or staff approve (address); the row is what the household export sends to the SIS, and what
  imports hold on to until the SIS has loaded it.
- `PortalChanges`: what an import (OneRoster, Ed-Fi) asks before it writes a contact value. Load it once
  inside the import's transaction, call `decide(...)` for every email, phone and address the SIS sends
  (the rule is app/rules/sis_sync.py: reconcile), write the value it returns (None: leave what is on file),
  then `await settle()` before the transaction ends to mark the changes the SIS caught up with.

Field names: "email", "phone:mobile", "phone:home", "phone:work", "address" (an address is the five lines
joined by "\\n": see `address_value`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from app import clock
from app.rules.sis_sync import PortalChange as PendingChange
from app.rules.sis_sync import Reconciled, reconcile
from app.tables import PortalChange

ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "state", "postal_code")


def address_value(line1: str, line2: str, city: str, state: str, postal_code: str) -> str:
    """One address as the single value the rule compares (tidy it first: app/rules/addresses.py)."""
    return "\n".join((line1, line2, city, state, postal_code))


async def record_portal_change(field: str, value: str, previous: str | None, *, person: int | None = None,
                               household: int | None = None, by: int | None = None, how: str = "confirmed",
                               at: datetime | None = None) -> None:
    """Inside the change's own transaction. An older change of the same field still waiting is settled as
    replaced: only the newest one is held against the SIS."""
    at = at or clock.now()
    subject = (PortalChange.person == person) if person is not None else (PortalChange.household == household)
    await PortalChange.update({PortalChange.settled_at: at, PortalChange.settled_how: "replaced"}).where(
        subject & (PortalChange.field == field) & PortalChange.settled_at.is_null())
    await PortalChange.insert(PortalChange(person=person, household=household, field=field, value=value,
                                           previous=previous or "", changed_at=at, changed_by=by, how=how))


class PortalChanges:
    """The portal changes the SIS has not caught up with, for one import run."""

    def __init__(self, rows: Iterable[dict]) -> None:
        self._pending: dict[tuple, tuple[int, PendingChange]] = {}
        for row in rows:
            change = (row["id"], PendingChange(row["value"], row["previous"], row["changed_at"]))
            if row["person"] is not None:
                self._pending[("person", row["person"], row["field"])] = change
                self._pending[("person", row["person_source_id"], row["field"])] = change
            if row["household"] is not None:
                self._pending[("household", row["household"], row["field"])] = change
                self._pending[("household", row["household_source_id"], row["field"])] = change
        self._settled: dict[int, str] = {}

    @classmethod
    async def load(cls) -> PortalChanges:
        rows = await PortalChange.select(
            PortalChange.id, PortalChange.person, PortalChange.person.source_id.as_alias("person_source_id"),
            PortalChange.household, PortalChange.household.source_id.as_alias("household_source_id"),
            PortalChange.field, PortalChange.value, PortalChange.previous, PortalChange.changed_at,
        ).where(PortalChange.settled_at.is_null()).order_by(PortalChange.id)
        return cls(rows)

    def __len__(self) -> int:
        return len({change_id for change_id, _ in self._pending.values()})

    def waiting(self, field: str, *, person: int | str | None = None,
                household: int | str | None = None) -> PendingChange | None:
        found = self._pending.get(self._key(field, person, household))
        return found[1] if found else None

    @staticmethod
    def _key(field: str, person, household) -> tuple:
        return ("person", person, field) if person is not None else ("household", household, field)

    def decide(self, field: str, sis_value: str | None, *, person: int | str | None = None,
               household: int | str | None = None, sis_modified: datetime | None = None) -> Reconciled:
        """What to keep for this field. `person`/`household`: the row's id or its sourcedId."""
        found = self._pending.get(self._key(field, person, household))
        decided = reconcile(found[1] if found else None, sis_value, sis_modified)
        if decided.settles and found is not None:
            self._settled[found[0]] = decided.reason
        return decided

    async def settle(self) -> int:
        """Mark the changes the SIS caught up with (inside the import's transaction); returns how many."""
        now = clock.now()
        for reason in set(self._settled.values()):
            ids = [i for i, r in self._settled.items() if r == reason]
            await PortalChange.update({PortalChange.settled_at: now, PortalChange.settled_how: reason}).where(
                PortalChange.id.is_in(ids) & PortalChange.settled_at.is_null())
        count = len(self._settled)
        self._settled = {}
        return count


async def record_approved_address(change, staff_id: int, at: datetime) -> None:
    """Staff approved a parent's address change (a HouseholdChangeRequest row): inside the decision's
    transaction, before the household's address is replaced."""
    from app.tables import Household

    household = await Household.select(*(getattr(Household, f) for f in ADDRESS_FIELDS)).where(
        Household.id == change.household).first()
    previous = address_value(*(household[f] for f in ADDRESS_FIELDS)) if household else ""
    await record_portal_change("address", address_value(*(getattr(change, f) for f in ADDRESS_FIELDS)), previous,
                               household=change.household, by=staff_id, how="approved", at=at)
