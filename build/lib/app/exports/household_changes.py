"""`homeroom export household-changes`: the address changes staff approved, as CSV for the SIS to load.

Columns: household_sourcedId, address_line1, address_line2, city, state, postal_code, decided_at (UTC,
ISO 8601), decided_by (the staff username), requested_by (the guardian's username), request_id.
Oldest decision first. `--since YYYY-MM-DD` keeps changes decided on or after that day (UTC), for a
nightly job that sends only what is new.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import TextIO

from app.csv_files import write_csv
from app.tables import HouseholdChangeRequest

HEADER = ["household_sourcedId", "address_line1", "address_line2", "city", "state", "postal_code", "decided_at",
          "decided_by", "requested_by", "request_id"]


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
    rows = await approved_household_changes(since)
    return write_csv(out, HEADER, ([row["household"], row["address_line1"], row["address_line2"], row["city"],
                                    row["state"], row["postal_code"], _utc(row["decided_at"]), row["decided_by"],
                                    row["requested_by"], row["id"]] for row in rows),
                     for_spreadsheet=for_spreadsheet)
