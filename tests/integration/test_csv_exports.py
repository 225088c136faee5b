"""Every CSV the portal writes goes through one writer that neutralises spreadsheet formulas (issue 9 item 5,
OWASP CSV Injection): hostile values in every column of every export come out as text, never as a formula."""

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
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def assert_no_formula(rows: list[list[str]], hostile: list[str]) -> None:
    written = [cell for row in rows[1:] for cell in row]
    for value in hostile:
        assert "'" + value in written, value  # every hostile value is there, as text
    assert not [cell for cell in written if cell.startswith(FORMULA_STARTS)]


def homeroom(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=PROJECT_ROOT, capture_output=True,
                          timeout=120, env=os.environ.copy())


async def test_household_changes_with_hostile_values_in_every_column_are_text(district, tmp_path):
    from app.exports.household_changes import write_household_changes
    from app.tables import Household, HouseholdChangeRequest, UserAccount

    parent = await make_account(district.guardian("sam"), "sampark")
    staff = UserAccount(username="clerk1", username_key="clerk1", password_hash="x", role="school-staff")
    await staff.save()
    home = Household(source_id="=HYPERLINK(\"http://evil.example\",\"x\")", name="Park")
    await home.save()
    hostile = ["+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=cmd"]
    await HouseholdChangeRequest(household=home.id, requested_by=parent, address_line1=hostile[0],
                                 address_line2=hostile[1], city=hostile[2], state=hostile[3],
                                 postal_code=hostile[4], status="approved", decided_by=staff.id,
                                 decided_at=datetime(2026, 3, 2, tzinfo=timezone.utc)).save()

    out = io.StringIO(newline="")
    assert await write_household_changes(out) == 1
    assert_no_formula(cells(out.getvalue()), [home.source_id, *hostile])

    target = tmp_path / "changes.csv"
    result = homeroom("export", "household-changes", "--output", str(target))
    assert result.returncode == 0, result.stderr
    data = target.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")  # for an SIS loader: no byte-order mark
    assert_no_formula(cells(data.decode("utf-8")), [home.source_id, *hostile])


async def test_key_letters_with_hostile_names_and_emails_are_text_with_accents_intact(district):
    from app.tables import Person

    hostile = ["=1+1", "@José", "-Ñúñez"]
    await Person.update({Person.given_name: hostile[0], Person.family_name: hostile[1],
                         Person.email: "-sam@example.org"}).where(Person.source_id == "gua-sam")
    await Person.update({Person.given_name: hostile[2]}).where(Person.source_id == "gua-rosa")

    result = homeroom("keys", "letters")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"\xef\xbb\xbf")  # for a mail merge: accents survive the spreadsheet
    rows = cells(result.stdout.decode("utf-8"))
    assert_no_formula(rows, [*hostile, "-sam@example.org"])
