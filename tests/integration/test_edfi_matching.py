"""Ed-Fi identifiers matched to what OneRoster brought (issue 10 item 2) and the contact flags kept from
studentContactAssociations. Matching, each path: a contact's contactUniqueId is a guardian's sourcedId, else the
one guardian whose OneRoster `identifier` it is, else a new guardian; a section's sectionIdentifier is a class's
sourcedId, else its classCode; a school's schoolId is a school's sourcedId, else its org `identifier`. A
sourcedId wins over an identifier; an identifier several rows share matches none, with a warning."""

from __future__ import annotations

import copy

import pytest

from tests.integration.district import PASSWORD, make_account
from tests.integration.edfi_files import ASSOCIATIONS, association, contact, full_set, phone, school_event, \
    section_event, write_edfi
from tests.integration.portal import page_text
from tests.integration.roster_files import ORGS, PEOPLE, full_set_11, users_11, write_set
from tests.integration.test_import_edfi import run


def roster_files(identifiers: dict[str, str]) -> dict:
    """Maple (roster_files.py) with OneRoster identifiers: users by sourcedId, and Oak's org identifier 42."""
    files = full_set_11()
    files["users"] = users_11([(*p[:5], identifiers.get(p[0], p[5]), *p[6:]) for p in PEOPLE])
    orgs = copy.deepcopy(ORGS)
    orgs[3][5] = "42"  # sch-oak
    files["orgs"] = orgs
    return files


async def import_roster(tmp_path, identifiers: dict[str, str]) -> None:
    from app.importers.oneroster import import_oneroster

    report = await import_oneroster(write_set(tmp_path / "roster", roster_files(identifiers)))
    assert not report.has_errors, report.lines()


async def people() -> dict[str, dict]:
    from app.tables import Person

    return {p["source_id"]: p for p in await Person.select()}


async def test_oneroster_identifiers_are_stored(clean_database, tmp_path):
    from app.tables import School

    await import_roster(tmp_path, {"gua-tom": "G-7"})
    found = await people()
    assert found["gua-tom"]["identifier"] == "G-7" and found["gua-tom"]["student_number"] is None
    assert (found["stu-ana"]["identifier"], found["stu-ana"]["student_number"]) == ("1001", "1001")
    assert found["tch-lee"]["identifier"] == "T-77"
    schools = {s["source_id"]: s["identifier"] for s in await School.select()}
    assert schools == {"sch-oak": "42", "sch-elm": ""}


async def test_each_identifier_matches(clean_database, tmp_path):
    from app.tables import AttendanceEvent, ContactPhone, GuardianLink

    await import_roster(tmp_path, {"gua-tom": "G-7"})
    before = set(await people())
    resources = {
        "contacts": [contact("G-7", "Tom", "Rivera", telephones=[phone("404-555-0177", "Mobile")])],
        "studentContactAssociations": [association("G-7", "1001", "Father", livesWith=False)],
        "studentSchoolAttendanceEvents": [school_event("1001", 42, "2026-03-09", "Tardy")],  # Oak by identifier
        "studentSectionAttendanceEvents": [section_event("1001", "MA6-1", 42, "MA6", "2026-03-06", "Tardy", "1")],
    }
    report = await run(write_edfi(tmp_path / "edfi", resources))
    assert not report.has_errors, report.lines()
    assert not report.warnings, report.lines()
    found = await people()
    assert set(found) == before  # Tom was matched, not made again
    tom, ana = found["gua-tom"]["id"], found["stu-ana"]["id"]
    assert [(p["kind"], p["number"]) for p in await ContactPhone.select().where(ContactPhone.person == tom)] == [
        ("mobile", "+14045550177")]
    link = await GuardianLink.select().where((GuardianLink.guardian == tom) & (GuardianLink.student == ana)).first()
    assert link is not None and link["lives_with"] is False
    events = await AttendanceEvent.select(AttendanceEvent.school.source_id.as_alias("school"),
                                          AttendanceEvent.section.source_id.as_alias("section"))
    assert sorted((e["school"], e["section"] or "") for e in events) == [("sch-oak", ""), ("sch-oak", "cls-math-1")]


async def test_a_sourced_id_wins_and_nothing_matching_is_said(clean_database, tmp_path):
    await import_roster(tmp_path, {"par-rosa": "gua-tom"})  # Rosa's identifier is Tom's sourcedId
    resources = {
        "contacts": [contact("gua-tom", "Tom", "Rivera", telephones=[phone("404-555-0177", "Mobile")]),
                     contact("G-99", "Nadia", "Reyes")],
        "studentSchoolAttendanceEvents": [school_event("1001", 99, "2026-03-09", "Tardy")],
        "studentSectionAttendanceEvents": [section_event("1001", "NOPE-1", "sch-oak", "MA6", "2026-03-06", "Tardy")],
    }
    report = await run(write_edfi(tmp_path / "edfi", resources))
    assert not report.has_errors, report.lines()
    found = await people()
    assert found["G-99"]["kind"] == "guardian"  # nothing matched: a new guardian
    assert "WARNING: studentSchoolAttendanceEvents.json, array index 0, field schoolReference.schoolId: is not a " \
           "school in Homeroom (no school has it as sourcedId or identifier); skipped" in report.lines()
    assert "WARNING: studentSectionAttendanceEvents.json, array index 0, field sectionReference.sectionIdentifier: " \
           "is not a class in Homeroom (no class has it as sourcedId or classCode); skipped" in report.lines()
    from app.tables import ContactPhone

    assert await ContactPhone.count().where(ContactPhone.person == found["gua-tom"]["id"]) == 1
    assert await ContactPhone.count().where(ContactPhone.person == found["par-rosa"]["id"]) == 0


async def test_an_identifier_two_guardians_share_matches_neither(clean_database, tmp_path):
    await import_roster(tmp_path, {"gua-tom": "G-7", "rel-gran": "G-7"})
    before = await people()
    resources = {"contacts": [contact("G-7", "Tom", "Rivera")],
                 "studentContactAssociations": [association("G-7", "1002", "Father")]}
    report = await run(write_edfi(tmp_path / "edfi", resources))
    assert not report.has_errors, report.lines()
    assert "WARNING: contacts.json, array index 0, field contactUniqueId: 'G-7' is no guardian's sourcedId and the " \
           "OneRoster identifier of several guardians in Homeroom, so it is not known which; this contact is " \
           "skipped" in report.lines(), report.lines()
    assert any("studentContactAssociations.json, array index 0, field contactReference.contactUniqueId: is not a "
               "contact" in line for line in report.lines())
    assert set(await people()) == set(before)


# ---- contact flags ----

async def links() -> dict[tuple[str, str], tuple]:
    from app.tables import GuardianLink

    rows = await GuardianLink.select(GuardianLink.guardian.source_id.as_alias("g"),
                                     GuardianLink.student.source_id.as_alias("s"), GuardianLink.primary_contact,
                                     GuardianLink.lives_with)
    return {(r["g"], r["s"]): (r["primary_contact"], r["lives_with"]) for r in rows}


@pytest.fixture
async def imported(clean_database, tmp_path):
    await import_roster(tmp_path, {})
    report = await run(write_edfi(tmp_path / "edfi", full_set()))
    assert not report.has_errors, report.lines()


async def test_primary_contact_and_lives_with_are_kept_on_the_link(imported, tmp_path):
    assert await links() == {
        ("par-rosa", "stu-ana"): (True, True), ("par-rosa", "stu-ben"): (True, True),
        ("gua-tom", "stu-ben"): (None, True),  # primaryContactStatus not sent
        ("rel-gran", "stu-ana"): (None, None),  # OneRoster only
        ("9001", "stu-ana"): (False, False)}
    changed = copy.deepcopy(full_set())
    changed["studentContactAssociations"] = copy.deepcopy(ASSOCIATIONS)
    changed["studentContactAssociations"][1]["livesWith"] = False  # Ben no longer lives with Rosa
    del changed["studentContactAssociations"][0]["primaryContactStatus"]  # not sent: left as it is
    report = await run(write_edfi(tmp_path / "changed", changed))
    assert not report.has_errors, report.lines()
    assert report.counts["guardian links"] == 1 and report.added["guardian links"] == 0
    assert (await links())[("par-rosa", "stu-ben")] == (True, False)
    assert (await links())[("par-rosa", "stu-ana")] == (True, True)


async def tom_also_in_an_older_household() -> None:
    """Tom is listed first at another address where no child lives (his membership there is older)."""
    from app.tables import Household, HouseholdMember, Person

    tom = (await Person.select(Person.id).where(Person.source_id == "gua-tom").first())["id"]
    [flat] = await Household.insert(Household(source_id="old-flat", name="Tom's flat", address_line1="3 Pine Court",
                                              city="Maple", state="GA", postal_code="30309")).returning(Household.id)
    [elm] = await HouseholdMember.select(HouseholdMember.id, HouseholdMember.household).where(
        HouseholdMember.person == tom)
    await HouseholdMember.delete().where(HouseholdMember.id == elm["id"])
    await HouseholdMember.insert(HouseholdMember(household=flat["id"], person=tom),
                                 HouseholdMember(household=elm["household"], person=tom))


async def test_a_guardian_in_two_households_is_shown_and_written_to_where_the_child_lives(imported, portal):
    from app.services.key_letters import key_letters
    from app.tables import Person

    await tom_also_in_an_older_household()
    run_ = await key_letters(dry_run=True)
    [tom_letter] = [letter for letter in run_.letters if letter.source_id == "gua-tom"]
    assert tom_letter.address[0] == "12 Elm Street", tom_letter.address  # where Ben lives with him

    tom = await Person.objects().where(Person.source_id == "gua-tom").first()
    await make_account(tom, "TomRivera")
    assert (await portal.log_in("TomRivera", PASSWORD)).status_code == 303
    household = page_text((await portal.get("/household")).text)
    assert "12 Elm Street" in household and "3 Pine Court" not in household, household


async def test_the_staff_console_shows_primary_contact_and_lives_with(imported, portal):
    from app.tables import Person
    from tests.integration.test_staff_console import as_staff, staff_account, words

    await staff_account("DistrictAdmin", "district-admin", None)
    await as_staff(portal, "DistrictAdmin")
    ana = await Person.objects().where(Person.source_id == "stu-ana").first()
    page = words((await portal.get(f"/staff/students/{ana.public_id}")).text)
    assert "Rosa Rivera parent primary contact, lives with the student" in page, page
    assert "Gloria Rivera relative not given" in page, page
    assert "Luis Ortega relative not the primary contact, does not live with the student" in page, page
    rosa = await Person.objects().where(Person.source_id == "par-rosa").first()
    page = words((await portal.get(f"/staff/guardians/{rosa.public_id}")).text)
    assert "Ana Rivera (parent; primary contact, lives with the student)" in page, page
