"""`homeroom export household-changes` (issue 5): approved address changes as CSV for the SIS."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from tests.integration.district import make_account

PROJECT_ROOT = Path(__file__).parents[2]


async def test_approved_changes_only_with_who_decided(district, tmp_path):
    from app.exports.household_changes import write_household_changes
    from app.tables import Household, HouseholdChangeRequest, UserAccount

    parent = await make_account(district.guardian("sam"), "sampark")
    staff = UserAccount(username="clerk1", username_key="clerk1", password_hash="x", role="school-staff")
    await staff.save()
    home = Household(source_id="hh-park", name="Park")
    await home.save()

    def request(status: str, line1: str, decided: datetime | None) -> HouseholdChangeRequest:
        return HouseholdChangeRequest(household=home.id, requested_by=parent, address_line1=line1,
                                      address_line2="Apt 2", city="Decatur", state="GA", postal_code="30030",
                                      status=status, decided_at=decided, decided_by=staff.id if decided else None)

    await request("approved", "12 Oak St", datetime(2026, 3, 2, 15, 30, tzinfo=timezone.utc)).save()
    await request("denied", "99 Nowhere Rd", datetime(2026, 3, 3, tzinfo=timezone.utc)).save()
    await request("pending", "1 Elm St", None).save()
    await request("approved", "14 Oak St", datetime(2026, 3, 9, 9, 0, tzinfo=timezone.utc)).save()

    out = io.StringIO()
    assert await write_household_changes(out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["household_sourcedId"], r["address_line1"], r["decided_at"], r["decided_by"], r["requested_by"])
            for r in rows] == [("hh-park", "12 Oak St", "2026-03-02T15:30:00Z", "clerk1", "sampark"),
                               ("hh-park", "14 Oak St", "2026-03-09T09:00:00Z", "clerk1", "sampark")]
    assert rows[0]["address_line2"] == "Apt 2" and rows[0]["postal_code"] == "30030"

    later = io.StringIO()
    assert await write_household_changes(later, since="2026-03-05") == 1

    target = tmp_path / "changes.csv"
    result = subprocess.run([sys.executable, "-m", "app.cli", "export", "household-changes", "--output",
                             str(target)], cwd=PROJECT_ROOT, capture_output=True, text=True, env=os.environ.copy(),
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert target.read_text().splitlines()[0].startswith('"household_sourcedId","address_line1"')
    assert "12 Oak St" in target.read_text()
