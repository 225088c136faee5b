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


# --- what else Ed-Fi fills: grading periods and their term grades, phones --------------------------------------

def fourth_quarter() -> dict:
    """A grading period no OneRoster session matches (Homeroom makes it: edfi-gp-*) and Ana's grade in it."""
    from tests.integration.edfi_files import GRADES, GRADING_PERIODS, d, full_set, grade, meta

    period = meta({"gradingPeriodDescriptor": d("GradingPeriod", "Fourth Nine Weeks"), "periodSequence": 4,
                   "schoolReference": {"schoolId": "sch-oak"}, "schoolYearTypeReference": {"schoolYear": 2026},
                   "beginDate": "2026-04-01", "endDate": "2026-06-05"})
    ana_in_it = grade("1001", "cls-math-1", "sch-oak", "MA6", "Fourth Nine Weeks", "A-", 91.5)
    ana_in_it["gradingPeriodReference"]["periodSequence"] = 4
    return {**full_set(), "gradingPeriods": [*GRADING_PERIODS, period], "grades": [*GRADES, ana_in_it]}


async def test_a_oneroster_bulk_run_keeps_ed_fis_grading_periods_their_grades_and_phones(clean_database, tmp_path,
                                                                                         portal):
    """Issue 10: a bulk academicSessions.csv made the grading periods Ed-Fi brought inactive (they are not in
    it), and with them every term grade in them vanished from the parents' grades pages; users.csv's empty
    phone cells removed the numbers Ed-Fi brought for the same guardians. Now each source removes only its own."""
    from app.importers.oneroster import import_oneroster
    from app.tables import AcademicSession, ContactPhone, Person
    from tests.integration.district import PASSWORD, make_account
    from tests.integration.portal import page_text
    from tests.integration.roster_files import full_set_11

    roster = write_set(tmp_path / "roster", full_set_11())
    assert not (await import_oneroster(roster)).has_errors
    report = await run_edfi(write_edfi(tmp_path / "edfi", fourth_quarter()))
    assert not report.has_errors, report.lines()
    [made] = await AcademicSession.select().where(AcademicSession.source_id.like("edfi-gp-%"))
    assert (made["title"], made["status"], made["source"]) == ("Fourth Nine Weeks", "active", "edfi")
    rosa = await Person.objects().where(Person.source_id == "par-rosa").first()
    ana = await Person.objects().where(Person.source_id == "stu-ana").first()
    phones = sorted((p["kind"], p["number"]) for p in await ContactPhone.select().where(ContactPhone.person == rosa.id))
    assert phones == [("home", "+14045550102"), ("mobile", "+14045550101")]
    await make_account(rosa, "RosaRivera")
    assert (await portal.log_in("RosaRivera", PASSWORD)).status_code == 303

    async def fourth_quarter_grades() -> str:
        return page_text((await portal.get(f"/students/{ana.public_id}/grades?term={made['source_id']}")).text)

    assert "Term grades in Fourth Nine Weeks" in await fourth_quarter_grades()
    assert "A-" in await fourth_quarter_grades()
    before = await everything()

    # The nightly bulk OneRoster set, unchanged: nothing changes, Ed-Fi's rows included.
    again = run_cli("import", "oneroster", str(roster))
    assert again.returncode == 0, again.stderr
    assert "Nothing changed" in again.stdout, again.stdout
    assert await everything() == before
    assert (await AcademicSession.select(AcademicSession.status).where(AcademicSession.id == made["id"]).first()
            ) == {"status": "active"}
    shown = await fourth_quarter_grades()
    assert "Term grades in Fourth Nine Weeks" in shown and "A-" in shown, shown
    default = page_text((await portal.get(f"/students/{ana.public_id}/grades")).text)
    assert "Fourth Nine Weeks" in default  # still one of the terms a parent can choose

    # OneRoster's own session left out of a bulk file still goes; Ed-Fi's stays.
    files = full_set_11()
    files["academicSessions"] = [row for row in files["academicSessions"] if row[0] != "gp-3"]
    files["classes"] = [[*row[:10], "sem-2" if row[0] != "sourcedId" else row[10], *row[11:]]
                        for row in files["classes"]]
    files["lineItems"] = [[*row[:9], "" if row[0] != "sourcedId" else row[9], *row[10:]] for row in files["lineItems"]]
    report = await import_oneroster(write_set(tmp_path / "no-gp-3", files))
    assert not report.has_errors, report.lines()
    statuses = {r["source_id"]: r["status"] for r in await AcademicSession.select(AcademicSession.source_id,
                                                                                  AcademicSession.status)}
    assert statuses["gp-3"] == "inactive" and statuses[made["source_id"]] == "active"
    assert "A-" in await fourth_quarter_grades()


async def test_ed_fi_never_takes_back_a_grading_period_oneroster_listed(clean_database, tmp_path):
    """When OneRoster lists a session Ed-Fi made (same sourcedId) it becomes OneRoster's, like a person."""
    from app.importers.oneroster import import_oneroster
    from app.tables import AcademicSession
    from tests.integration.roster_files import full_set_11

    assert not (await import_oneroster(write_set(tmp_path / "roster", full_set_11()))).has_errors
    edfi = write_edfi(tmp_path / "edfi", fourth_quarter())
    assert not (await run_edfi(edfi)).has_errors
    [made] = await AcademicSession.select().where(AcademicSession.source_id.like("edfi-gp-%"))
    files = full_set_11()
    files["academicSessions"] = [*files["academicSessions"], [made["source_id"], "", "", "Fourth Nine Weeks",
                                                              "gradingPeriod", "2026-04-01", "2026-06-05", "sem-2",
                                                              "2026"]]
    assert not (await import_oneroster(write_set(tmp_path / "listed", files))).has_errors
    assert not (await run_edfi(edfi)).has_errors
    row = await AcademicSession.select(AcademicSession.source, AcademicSession.status).where(
        AcademicSession.id == made["id"]).first()
    assert row == {"source": "oneroster", "status": "active"}
    # ... and from then on a bulk file that leaves it out removes it, as any session of its own
    assert not (await import_oneroster(write_set(tmp_path / "again", full_set_11()))).has_errors
    assert (await AcademicSession.select(AcademicSession.status).where(AcademicSession.id == made["id"]).first()
            ) == {"status": "inactive"}


async def test_each_import_removes_only_the_phone_numbers_it_brought(clean_database, tmp_path):
    """Ed-Fi's contact for Tom has only a work number: OneRoster's home number for him stays (Ed-Fi used to
    remove it, and the next OneRoster run put it back). A different home number from Ed-Fi replaces it and is
    then Ed-Fi's, so OneRoster's empty cell later leaves it."""
    from app.importers.oneroster import import_oneroster
    from app.tables import ContactPhone, Person
    from tests.integration.edfi_files import CONTACTS, full_set, phone
    from tests.integration.roster_files import USERS_11, full_set_11

    def with_toms_home_phone(number: str) -> dict:
        files = full_set_11()
        files["users"] = [[*row[:14], number, *row[15:]] if row[0] == "gua-tom" else row for row in files["users"]]
        assert USERS_11[14] == "phone"
        return files

    async def toms_phones() -> list[tuple[str, str, str]]:
        tom = await Person.select(Person.id).where(Person.source_id == "gua-tom").first()
        return sorted((p["kind"], p["number"], p["source"]) for p in
                      await ContactPhone.select().where(ContactPhone.person == tom["id"]))

    assert not (await import_oneroster(write_set(tmp_path / "roster", with_toms_home_phone("404-555-0177")))).has_errors
    assert await toms_phones() == [("home", "+14045550177", "oneroster")]
    assert not (await run_edfi(write_edfi(tmp_path / "edfi", full_set()))).has_errors
    assert await toms_phones() == [("home", "+14045550177", "oneroster"), ("work", "+14045550111", "edfi")]

    toms = next(c for c in CONTACTS if c["contactUniqueId"] == "gua-tom")
    moved = {**full_set(), "contacts": [c if c is not toms else {**toms, "telephones": [
        *toms["telephones"], phone("404-555-0188", "Home")]} for c in CONTACTS]}
    assert not (await run_edfi(write_edfi(tmp_path / "moved", moved))).has_errors
    assert await toms_phones() == [("home", "+14045550188", "edfi"), ("work", "+14045550111", "edfi")]
    assert not (await import_oneroster(write_set(tmp_path / "blank", full_set_11()))).has_errors  # empty cells
    assert await toms_phones() == [("home", "+14045550188", "edfi"), ("work", "+14045550111", "edfi")]
