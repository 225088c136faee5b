"""Two sources, one district (issue 10): OneRoster nightly and Ed-Fi as the second source. Each person and
guardian link records which import brought it (`source`); a OneRoster bulk run removes only its own rows, so a
contact only Ed-Fi knows stays active and linked, and the mass-removal guard counts only OneRoster's rows.
When OneRoster lists an Ed-Fi guardian or link it takes it over. Ed-Fi never removes OneRoster's rows."""

from __future__ import annotations

from tests.integration.edfi_files import address, association, contact, write_edfi
from tests.integration.roster_files import dump_tables, users_11, write_set
from tests.integration.test_import_edfi import everything
from tests.integration.test_import_edfi import run as run_edfi
from tests.integration.test_import_safeguards import (
    FAMILIES,
    district_files,
    family_people,
    imported_district,
    two_users_files,
)
from tests.integration.test_oneroster_quirks import run_cli

EDFI_ONLY = 25  # aunts and uncles the SIS sends only through Ed-Fi: more than 10 % and more than 20 of the links


def edfi_only_contacts(n: int = EDFI_ONLY) -> dict:
    contacts = [contact(f"90{i:02d}", f"Alex{i}", "Doe", addresses=[address(f"{i + 1} Cedar Court", "Maple", "GA",
                                                                            "30301")])
                for i in range(n)]
    associations = [association(f"90{i:02d}", f"20{i:02d}", "Aunt", livesWith=False, legalGuardian=False)
                    for i in range(n)]
    return {"contacts": contacts, "studentContactAssociations": associations}


async def sources_of(source_id: str) -> tuple[str, str, list[str]]:
    """The person's status and source, and the sources of their links."""
    from app.tables import GuardianLink, Person

    person = await Person.select(Person.id, Person.status, Person.source).where(Person.source_id == source_id).first()
    links = await GuardianLink.select(GuardianLink.source).where(GuardianLink.guardian == person["id"])
    return person["status"], person["source"], sorted(link["source"] for link in links)


async def test_a_oneroster_bulk_run_leaves_ed_fi_only_guardians_and_links_alone(clean_database, tmp_path):
    await imported_district(tmp_path)
    report = await run_edfi(write_edfi(tmp_path / "edfi", edfi_only_contacts()))
    assert not report.has_errors, report.lines()
    assert report.added["guardian links"] == EDFI_ONLY
    assert await sources_of("9000") == ("active", "edfi", ["edfi"])
    assert await sources_of("par-x0") == ("active", "oneroster", ["oneroster"])
    before = await everything()

    # The same OneRoster bulk set again, as the nightly job runs it: exit 0, nothing changed, no refusal.
    again = run_cli("import", "oneroster", str(tmp_path / "district"))
    assert again.returncode == 0, again.stderr
    assert "Nothing changed" in again.stdout, again.stdout
    assert "mass" not in again.stderr + again.stdout
    assert await everything() == before
    for i in range(EDFI_ONLY):
        assert await sources_of(f"90{i:02d}") == ("active", "edfi", ["edfi"])


async def test_the_guard_counts_only_oneroster_rows_and_true_removals_still_happen(clean_database, tmp_path):
    from app.importers.oneroster import import_oneroster
    from app.tables import GuardianLink

    await imported_district(tmp_path)
    assert not (await run_edfi(write_edfi(tmp_path / "edfi", edfi_only_contacts()))).has_errors
    # Three families leave: OneRoster's own rows go (3 students, 3 parents, their 3 links), Ed-Fi's stay.
    report = await import_oneroster(write_set(tmp_path / "fewer", district_files(FAMILIES - 3)), dry_run=True)
    assert not report.has_errors and not report.notes, report.lines()
    report = await import_oneroster(tmp_path / "fewer")
    assert not report.has_errors, report.lines()
    assert report.counts["guardian links removed"] == 3
    assert await sources_of("par-x29") == ("inactive", "oneroster", [])
    assert await sources_of("9000") == ("active", "edfi", ["edfi"])
    assert await GuardianLink.count().where(GuardianLink.source == "edfi") == EDFI_ONLY

    # A bulk users.csv of two users is still refused: nearly all of OneRoster's own rows would go.
    before = await dump_tables()
    report = await import_oneroster(write_set(tmp_path / "two", two_users_files()))
    [line] = [g.describe() for g in report.errors]
    assert "guardian links" in line and "active guardians" in line, line
    assert await dump_tables() == before


async def test_oneroster_takes_over_what_it_lists_and_ed_fi_never_takes_it_back(clean_database, tmp_path):
    from app.importers.oneroster import import_oneroster

    await imported_district(tmp_path)
    edfi = write_edfi(tmp_path / "edfi", edfi_only_contacts(2))
    assert not (await run_edfi(edfi)).has_errors
    assert await sources_of("9001") == ("active", "edfi", ["edfi"])

    # The SIS's roster now lists 9001 too (a parent of stu-x1, linked from their own row): OneRoster's now.
    people = family_people()
    people.append(("9001", "parent", "dist-maple", "Alex1", "Doe", "", "", "stu-x1", ""))
    files = district_files()
    files["users"] = users_11(people)
    report = await import_oneroster(write_set(tmp_path / "listed", files))
    assert not report.has_errors, report.lines()
    assert await sources_of("9001") == ("active", "oneroster", ["oneroster"])

    # Ed-Fi sends them again: still OneRoster's (Ed-Fi only makes what Homeroom lacks).
    assert not (await run_edfi(edfi)).has_errors
    assert await sources_of("9001") == ("active", "oneroster", ["oneroster"])
    assert await sources_of("9000") == ("active", "edfi", ["edfi"])

    # OneRoster drops them again: now it removes them, as any guardian of its own; Ed-Fi's 9000 stays.
    report = await import_oneroster(tmp_path / "district")
    assert not report.has_errors, report.lines()
    assert await sources_of("9001") == ("inactive", "oneroster", [])
    assert await sources_of("9000") == ("active", "edfi", ["edfi"])


async def test_ed_fi_never_removes_oneroster_rows(clean_database, tmp_path):
    from app.tables import GuardianLink

    await imported_district(tmp_path)
    links = await GuardianLink.select().order_by(GuardianLink.id)
    # Ed-Fi sends only its own contacts and none of OneRoster's: OneRoster's links and people are untouched.
    assert not (await run_edfi(write_edfi(tmp_path / "edfi", edfi_only_contacts(3)))).has_errors
    after = await GuardianLink.select().order_by(GuardianLink.id)
    assert after[:len(links)] == links
    assert [link["source"] for link in after[len(links):]] == ["edfi"] * 3
    assert await sources_of("par-rosa") == ("active", "oneroster", ["oneroster", "oneroster"])
