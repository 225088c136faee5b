"""`homeroom export household-changes`: every change made in the portal that the SIS has to load, as CSV:
the addresses staff approved, and the emails and phones parents confirmed (issue 10 item 4).

One row per change, oldest first. Columns: household_sourcedId, address_line1, address_line2, city, state,
postal_code, decided_at (UTC, ISO 8601: when it was approved or confirmed), decided_by (the staff username
for an address; the parent's own username for their email or phone), requested_by (the guardian's username),
request_id (the address request's number), change (address | email | phone), person_sourcedId (the
guardian whose email or phone it is), email (the new address), phone_kind (mobile | home | work), phone
(the new number: a US number as (404) 802-1000, any other as +44 20 7946 0958, which the CSV writer
prefixes with an apostrophe like every cell starting with +; empty when the parent removed it), previous
(the value on file before, written the same way: the old email or phone number, so the clerk finds the row
to change), how (approved by staff | confirmed by the
parent). An address row leaves the email and phone columns empty, and the other way round.
`--since YYYY-MM-DD` keeps changes decided on or after that day (UTC), for a nightly job that sends only
what is new.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import TextIO

import phonenumbers

from app.csv_files import write_csv
from app.tables import HouseholdChangeRequest, HouseholdMember, PortalChange

HEADER = ["household_sourcedId", "address_line1", "address_line2", "city", "state", "postal_code", "decided_at",
          "decided_by", "requested_by", "request_id", "change", "person_sourcedId", "email", "phone_kind", "phone",
          "previous", "how"]
HOW = {"approved": "approved by staff", "confirmed": "confirmed by the parent"}


async def approved_household_changes(since: date | None = None) -> list[dict]:
    query = HouseholdChangeRequest.select(
        HouseholdChangeRequest.id,
        HouseholdChangeRequest.household.source_id.as_alias("household"),
        HouseholdChangeRequest.address_line1,
        HouseholdChangeRequest.address_line2,
        HouseholdChangeRequest.city,
        HouseholdChangeRequest.state,
        HouseholdChangeRequest.postal_code,
        HouseholdChangeRequest.decided_at,
        HouseholdChangeRequest.decided_by.username.as_alias("decided_by"),
        HouseholdChangeRequest.requested_by.username.as_alias("requested_by"),
    ).where(HouseholdChangeRequest.status == "approved")
    if since is not None:
        query = query.where(HouseholdChangeRequest.decided_at >= datetime(since.year, since.month, since.day,
                                                                          tzinfo=timezone.utc))
    return await query.order_by(HouseholdChangeRequest.decided_at).order_by(HouseholdChangeRequest.id)


async def confirmed_contact_changes(since: date | None = None) -> list[dict]:
    """The emails and phones parents changed (app/services/sis_sync.py records them), oldest first."""
    query = PortalChange.select(
        PortalChange.id, PortalChange.person, PortalChange.person.source_id.as_alias("person_source_id"),
        PortalChange.field, PortalChange.value, PortalChange.previous, PortalChange.changed_at,
        PortalChange.changed_by.username.as_alias("changed_by"), PortalChange.how,
    ).where(PortalChange.person.is_not_null() & PortalChange.field.is_in(
        ["email", "phone:mobile", "phone:home", "phone:work"]))
    if since is not None:
        query = query.where(PortalChange.changed_at >= datetime(since.year, since.month, since.day,
                                                                tzinfo=timezone.utc))
    rows = await query.order_by(PortalChange.changed_at).order_by(PortalChange.id)
    people = {row["person"] for row in rows}
    households: dict[int, str] = {}
    if people:
        for member in await HouseholdMember.select(
                HouseholdMember.person, HouseholdMember.household.source_id.as_alias("household")).where(
                HouseholdMember.person.is_in(list(people))).order_by(HouseholdMember.id):
            households.setdefault(member["person"], member["household"])
    for row in rows:
        row["household"] = households.get(row["person"], "")
    return rows


def _address_row(row: dict) -> tuple:
    return (row["decided_at"], 0, row["id"], [
        row["household"], row["address_line1"], row["address_line2"], row["city"], row["state"], row["postal_code"],
        _utc(row["decided_at"]), row["decided_by"], row["requested_by"], row["id"], "address", "", "", "", "", "",
        HOW["approved"]])


def _for_clerk(e164: str) -> str:
    """How an SIS clerk types a number: national format for US numbers, international for others."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    style = phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 1 else \
        phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def _contact_row(row: dict) -> tuple:
    is_email = row["field"] == "email"
    return (row["changed_at"], 1, row["id"], [
        row["household"], "", "", "", "", "", _utc(row["changed_at"]), row["changed_by"], row["changed_by"], "",
        "email" if is_email else "phone", row["person_source_id"], row["value"] if is_email else "",
        "" if is_email else row["field"].split(":", 1)[1], "" if is_email else _for_clerk(row["value"]),
        row["previous"] if is_email else _for_clerk(row["previous"]), HOW.get(row["how"], row["how"])])


def _utc(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


async def write_household_changes(out: TextIO, *, since: str | date | None = None,
                                  for_spreadsheet: bool = False) -> int:
    """Write the CSV through the one CSV writer (app/csv_files.py); returns how many changes it holds.
    `since` may be a YYYY-MM-DD string. for_spreadsheet: the staff console's download, opened in a spreadsheet
    (byte-order mark first); the command line's file is for an SIS loader (none)."""
    if isinstance(since, str):
        since = date.fromisoformat(since)
    changes = [_address_row(row) for row in await approved_household_changes(since)]
    changes += [_contact_row(row) for row in await confirmed_contact_changes(since)]
    changes.sort(key=lambda change: (_utc(change[0]), change[1], change[2]))
    return write_csv(out, HEADER, (cells for _, _, _, cells in changes), for_spreadsheet=for_spreadsheet)
