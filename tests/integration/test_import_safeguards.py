"""A bulk file that would wipe the district is refused (issue 10: "refuse what would lose data"), and
`--dry-run` shows what a run would change, on both imports. app/rules/mass_removal.py has the limits: more
than 10 % and more than 20 of the active rows of one kind."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

from tests.integration.edfi_files import address, association, contact, write_edfi
from tests.integration.roster_files import ENROLLMENTS, PEOPLE, dump_tables, full_set_11, manifest, users_11, write_set
from tests.integration.test_import_edfi import everything
from tests.integration.test_import_edfi import run as run_edfi
from tests.integration.test_import_oneroster import run_import

PROJECT_ROOT = Path(__file__).parents[2]
FAMILIES = 30  # each a student at Elm in Art and a parent: 32 students, 33 guardians with Maple's own


def family_people(n: int = FAMILIES) -> list[tuple]:
    people = [*PEOPLE]
    for i in range(n):
        people.append((f"stu-x{i}", "student", "sch-elm", f"Kid{i}", "Doe", f"20{i:02d}", "", f"par-x{i}", "03"))
        people.append((f"par-x{i}", "parent", "dist-maple", f"Pat{i}", "Doe", "", f"pat{i}@example.org", "", ""))
    return people


def district_files(n: int = FAMILIES) -> dict:
    files = full_set_11()
    files["users"] = users_11(family_people(n))
    files["enrollments"] = ENROLLMENTS + [[f"enr-x{i}", "", "", "cls-art-2", "sch-elm", f"stu-x{i}", "student", "",
                                           "", ""] for i in range(n)]
    return files


def two_users_files() -> dict:
    """What the outside tester sent: a bulk users.csv with two users, nothing else."""
    return {"manifest": manifest("1.1", {"users": "bulk"}), "users": users_11(PEOPLE[:1] + PEOPLE[2:3])}


async def imported_district(tmp_path: Path) -> None:
    report = await run_import(write_set(tmp_path / "district", district_files()))
    assert not report.has_errors, report.lines()


async def active_count(kind: str) -> int:
    from app.tables import Person

    return await Person.count().where((Person.kind == kind) & (Person.status == "active"))


async def test_a_bulk_file_of_two_users_is_refused_in_one_line_and_changes_nothing(clean_database, tmp_path):
    from app.importers.oneroster import import_oneroster

    await imported_district(tmp_path)
    before = await dump_tables()
    folder = write_set(tmp_path / "two", two_users_files())
    report = await run_import(folder)
    assert report.has_errors
    [line] = [g.describe() for g in report.errors]
    assert line.startswith("ERROR: (run): this import would remove (make inactive or unlink) 31 of the 32 active "
                           "students, 32 of the 33 active guardians and "), line
    assert "more than 10% and more than 20 of a kind, so nothing was changed" in line
    assert "run again with --allow-mass-removal" in line
    assert await dump_tables() == before

    report = await import_oneroster(folder, allow_mass_removal=True)
    assert not report.has_errors, report.lines()
    assert (await active_count("student"), await active_count("guardian")) == (1, 1)


async def test_removing_a_few_is_ordinary_and_goes_ahead(clean_database, tmp_path):
    await imported_district(tmp_path)
    files = district_files(FAMILIES - 3)  # three families left the district: 3 of 32 students
    report = await run_import(write_set(tmp_path / "fewer", files))
    assert not report.has_errors, report.lines()
    assert await active_count("student") == 29
    assert report.counts["people made inactive"] == 6


async def test_many_but_not_a_tenth_goes_ahead(clean_database, tmp_path):
    """More than 20 but under 10 %: 21 enrollments of a district with 32 + 21*10 of them."""
    from app.tables import SectionEnrollment

    files = district_files()
    extra = [[f"enr-y{i}", "", "", "cls-math-1", "sch-oak", f"stu-x{i % FAMILIES}", "student", "", "", ""]
             for i in range(220)]
    files["enrollments"] = files["enrollments"] + extra
    assert not (await run_import(write_set(tmp_path / "all", files))).has_errors
    files["enrollments"] = files["enrollments"][:-21]
    report = await run_import(write_set(tmp_path / "less", files))
    assert not report.has_errors, report.lines()
    assert report.counts["class enrollments made inactive"] == 21
    assert await SectionEnrollment.count().where(SectionEnrollment.status == "inactive") == 21


async def test_a_dry_run_counts_what_would_change_and_changes_nothing(clean_database, tmp_path):
    from app.importers.oneroster import import_oneroster
    from app.importers.outcome import summary_lines

    report = await import_oneroster(write_set(tmp_path / "district", district_files()), dry_run=True)
    assert not report.has_errors and report.dry_run
    assert await active_count("student") == 0  # nothing was written
    lines = summary_lines(report)
    assert "people: 66 new" in lines and "class enrollments: 34 new" in lines, lines

    await imported_district(tmp_path)
    before = await dump_tables()
    files = district_files()
    files["users"][3][8] = "Rosie"  # Rosa's given name changes
    report = await import_oneroster(write_set(tmp_path / "changed", files), dry_run=True)
    assert summary_lines(report) == ["people: 1 changed"]
    report = await import_oneroster(write_set(tmp_path / "two", two_users_files()), dry_run=True)
    assert not report.has_errors
    assert "people: 64 made inactive" in summary_lines(report)
    assert any(n.startswith("a real run would be refused: this import would remove") for n in report.notes)
    assert await dump_tables() == before


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, env=os.environ.copy(), timeout=120)


async def test_the_command_line_dry_run_and_refusal(clean_database, tmp_path):
    await imported_district(tmp_path)
    two = str(write_set(tmp_path / "two", two_users_files()))
    dry = cli("import", "oneroster", "--dry-run", two)
    assert dry.returncode == 0, dry.stderr
    assert "OneRoster import (dry run): NOTHING WAS CHANGED. A real run would make these changes:" in dry.stdout
    assert "  people: 64 made inactive" in dry.stdout and "NOTE: a real run would be refused" in dry.stderr
    writing = [line for line in dry.stderr.splitlines() if line.startswith("writing ")]
    assert writing and all(line.endswith("(done; a dry run: undone at the end)") for line in writing), dry.stderr

    refused = cli("import", "oneroster", two)
    assert refused.returncode == 1
    assert "ERROR: (run): this import would remove" in refused.stderr and "NOTHING WAS CHANGED" in refused.stderr
    assert await active_count("student") == 32

    allowed = cli("import", "oneroster", "--allow-mass-removal", two)
    assert allowed.returncode == 0, allowed.stderr
    assert "writing people: " in allowed.stderr and "dry run" not in allowed.stderr
    assert await active_count("student") == 1


# ---- Ed-Fi: what it can take away is household memberships and restrictions an import set ----

def edfi_families(with_addresses: bool) -> dict:
    contacts = [contact(f"par-x{i}", f"Pat{i}", "Doe",
                        addresses=[address(f"{i + 1} Birch Lane", "Maple", "GA", "30301")] if with_addresses else [])
                for i in range(FAMILIES)]
    associations = [association(f"par-x{i}", f"20{i:02d}", "Mother", livesWith=True) for i in range(FAMILIES)]
    return {"contacts": contacts, "studentContactAssociations": associations}


async def test_ed_fi_contacts_without_their_addresses_would_empty_the_households_and_are_refused(clean_database,
                                                                                                tmp_path):
    from app.importers.edfi import import_edfi
    from app.importers.edfi_source import FolderSource
    from app.importers.outcome import summary_lines

    await imported_district(tmp_path)
    report = await run_edfi(write_edfi(tmp_path / "edfi", edfi_families(True)))
    assert not report.has_errors, report.lines()
    assert report.counts["household members"] == 2 * FAMILIES
    before = await everything()

    emptied = write_edfi(tmp_path / "emptied", edfi_families(False))
    report = await run_edfi(emptied)
    [line] = [g.describe() for g in report.errors]
    assert line.startswith(f"ERROR: (run): this import would remove (make inactive or unlink) {FAMILIES} of the "
                           f"{2 * FAMILIES} active household memberships"), line
    assert await everything() == before

    report = await import_edfi(FolderSource(emptied), dry_run=True)
    assert not report.has_errors and f"household members: {FAMILIES} removed" in summary_lines(report)
    assert await everything() == before

    report = await import_edfi(FolderSource(emptied), allow_mass_removal=True)
    assert not report.has_errors
    assert await everything() != before


async def test_ed_fi_dry_run_on_the_command_line(clean_database, tmp_path):
    await imported_district(tmp_path)
    folder = write_edfi(tmp_path / "edfi", edfi_families(True))
    before = await everything()
    dry = cli("import", "edfi", "--folder", str(folder), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Ed-Fi import (dry run): NOTHING WAS CHANGED." in dry.stdout
    assert f"  household members: {2 * FAMILIES} new" in dry.stdout, dry.stdout
    assert await everything() == before


def test_the_limits_are_both_needed():
    from app.rules.mass_removal import Removal

    assert not Removal("students", 20, 21).too_many  # all but one, but only 20
    assert not Removal("students", 21, 210).too_many  # 21, but exactly 10 %
    assert Removal("students", 21, 209).too_many
    assert not copy.copy(Removal("classes", 0, 0)).too_many


async def test_ed_fi_lifting_most_restrictions_an_import_set_is_refused(clean_database, tmp_path):
    """A studentContactAssociations file sent without its contactRestrictions would switch every court-ordered
    block off: refused, nothing changed (the blocks stay)."""
    from app.tables import AccessRestriction

    await imported_district(tmp_path)
    restricted = edfi_families(True)
    restricted["studentContactAssociations"] = [association(f"par-x{i}", f"20{i:02d}", "Mother", livesWith=True,
                                                            contactRestrictions="Court order 2026-114")
                                                for i in range(FAMILIES)]
    report = await run_edfi(write_edfi(tmp_path / "restricted", restricted))
    assert not report.has_errors, report.lines()
    assert report.counts["access restrictions"] == FAMILIES
    before = await everything()

    report = await run_edfi(write_edfi(tmp_path / "unrestricted", edfi_families(True)))
    [line] = [g.describe() for g in report.errors]
    assert f"would remove (make inactive or unlink) {FAMILIES} of the {FAMILIES} active contact restrictions " \
           f"(lifted)" in line, line
    assert await everything() == before
    assert await AccessRestriction.count().where(AccessRestriction.lifted_at.is_null()) == FAMILIES
