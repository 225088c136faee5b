"""`homeroom import edfi --folder` (issue 10 item 2): Ed-Fi documents matched to what OneRoster brought,
households, phones, languages, term grades and both kinds of attendance; all or nothing; the same set twice
changes nothing."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from tests.integration.edfi_files import ASSOCIATIONS, CONTACTS, GRADES, full_set, write_edfi
from tests.integration.roster_files import dump_tables, full_set_11, write_set


async def roster(tmp_path: Path) -> None:
    from app.importers.oneroster import import_oneroster

    report = await import_oneroster(write_set(tmp_path / "roster", full_set_11()))
    assert not report.has_errors, report.lines()


async def run(folder: Path):
    from app.importers.edfi import import_edfi
    from app.importers.edfi_source import FolderSource

    return await import_edfi(FolderSource(folder))


async def everything() -> dict:
    from app.tables import ContactPhone, Household, HouseholdMember

    tables = await dump_tables()
    tables["household"] = await Household.select().order_by(Household.id)
    tables["household_member"] = await HouseholdMember.select().order_by(HouseholdMember.id)
    tables["contact_phone"] = await ContactPhone.select().order_by(ContactPhone.id)
    return tables


async def test_a_full_set_fills_contacts_households_grades_and_attendance(clean_database, tmp_path):
    from app.tables import AttendanceEvent, ContactPhone, GuardianLink, HouseholdMember, Person, TermGrade

    await roster(tmp_path)
    report = await run(write_edfi(tmp_path / "edfi", full_set()))
    assert not report.has_errors, report.lines()

    people = {p["source_id"]: p for p in await Person.select()}
    assert people["par-rosa"]["language"] == "es" and people["par-rosa"]["email"] == "rosa.rivera@example.org"
    assert people["gua-tom"]["language"] == "en" and people["gua-tom"]["email"] == "tom@example.org"  # kept
    luis = people["9001"]
    assert (luis["kind"], luis["given_name"], luis["family_name"], luis["email"], luis["language"]) == (
        "guardian", "Luis", "Ortega", "luis@example.org", "es")

    phones = {(r["person"], r["kind"], r["number"]) for r in await ContactPhone.select()}
    rosa, tom = people["par-rosa"]["id"], people["gua-tom"]["id"]
    assert phones == {(rosa, "mobile", "+14045550101"), (rosa, "home", "+14045550102"),
                      (tom, "work", "+14045550111"), (luis["id"], "mobile", "+14045550133")}  # the fax is left out

    members = await HouseholdMember.select(HouseholdMember.household.source_id.as_alias("household"),
                                           HouseholdMember.household.address_line1.as_alias("line1"),
                                           HouseholdMember.household.address_line2.as_alias("line2"),
                                           HouseholdMember.household.postal_code.as_alias("postal"),
                                           HouseholdMember.household.name.as_alias("name"),
                                           HouseholdMember.person.source_id.as_alias("person"))
    households = {}
    for m in members:
        households.setdefault((m["household"], m["name"], m["line1"], m["line2"], m["postal"]), set()).add(m["person"])
    assert households == {
        # Rosa and Tom share the home address (not Rosa's mailing PO box); Ana and Ben live with them.
        ("edfi-household-gua-tom", "Rivera household", "12 Elm Street", "4B", "30301"):
            {"par-rosa", "gua-tom", "stu-ana", "stu-ben"},
        ("edfi-household-9001", "Ortega household", "7 Oak Road", "", "30301-1234"): {"9001"},
    }

    links = {(r["guardian"], r["student"]): r for r in await GuardianLink.select(
        GuardianLink.guardian.source_id.as_alias("guardian"), GuardianLink.student.source_id.as_alias("student"),
        GuardianLink.relationship, GuardianLink.is_guardian, GuardianLink.portal_access)}
    assert links[("9001", "stu-ana")] == {"guardian": "9001", "student": "stu-ana", "relationship": "relative",
                                          "is_guardian": False, "portal_access": True}
    assert links[("par-rosa", "stu-ana")]["relationship"] == "parent"  # OneRoster's link stays as it was

    grades = {(r["student"], r["section"], r["term"]): (r["grade"], r["percent"]) for r in await TermGrade.select(
        TermGrade.student.source_id.as_alias("student"), TermGrade.section.source_id.as_alias("section"),
        TermGrade.term.source_id.as_alias("term"), TermGrade.grade, TermGrade.percent)}
    # Oak's "Third Nine Weeks" matches gp-3 by its dates, Elm's "Quarter 3" by its title; the semester grade
    # is skipped; ART-2 is cls-art-2's classCode.
    assert grades == {("stu-ana", "cls-math-1", "gp-3"): ("B+", 88.5), ("stu-ben", "cls-art-2", "gp-3"): ("A", None)}

    events = {(r["student"], str(r["event_date"]), r["section"], r["period"], r["category"], r["reason"])
              for r in await AttendanceEvent.select(
                  AttendanceEvent.student.source_id.as_alias("student"), AttendanceEvent.event_date,
                  AttendanceEvent.section.source_id.as_alias("section"), AttendanceEvent.period,
                  AttendanceEvent.category, AttendanceEvent.reason)}
    assert events == {("stu-ana", "2026-03-09", None, "", "excused-absence", "Doctor appointment"),
                      ("stu-ben", "2026-03-09", None, "", "present", ""),
                      ("stu-ben", "2026-03-06", None, "", "tardy", "Bus late"),
                      ("stu-ana", "2026-03-06", "cls-math-1", "1", "tardy", ""),
                      ("stu-ben", "2026-03-05", "cls-art-2", "2", "unexcused-absence", "")}
    lines = report.lines()
    assert any("grades.json, array index 2, field gradeTypeDescriptor: only grading-period grades" in line
               for line in lines), lines
    assert report.counts["attendance events"] == 5 and report.counts["term grades"] == 2


async def test_the_same_set_twice_changes_nothing(clean_database, tmp_path, clock):
    await roster(tmp_path)
    folder = write_edfi(tmp_path / "edfi", full_set())
    assert not (await run(folder)).has_errors
    before = await everything()
    clock.advance(days=1)
    again = await run(folder)
    assert not again.has_errors
    assert {k: v for k, v in again.counts.items() if v} == {}, again.counts
    assert await everything() == before


async def test_the_same_event_from_the_attendance_csv_and_from_ed_fi_is_one_event(clean_database, tmp_path):
    """One way to name an event: the CSV importer's id, so the two imports update each other's rows."""
    from app.importers.attendance import import_attendance
    from app.tables import AttendanceEvent

    await roster(tmp_path)
    csv_file = tmp_path / "att.csv"
    csv_file.write_text("studentNumber,schoolSourcedId,date,category,reason\n"
                        "1001,sch-oak,2026-03-09,Unexcused Absence,\n", encoding="utf-8")
    assert not (await import_attendance(csv_file)).has_errors
    assert not (await run(write_edfi(tmp_path / "edfi", {"studentSchoolAttendanceEvents": full_set()[
        "studentSchoolAttendanceEvents"]}))).has_errors
    rows = await AttendanceEvent.select(AttendanceEvent.category).where(
        AttendanceEvent.event_date == __import__("datetime").date(2026, 3, 9),
        AttendanceEvent.student.source_id == "stu-ana")
    assert rows == [{"category": "excused-absence"}]


async def test_split_files_are_read_in_number_order_and_names_match_without_case(clean_database, tmp_path):
    from app.tables import Person

    await roster(tmp_path)
    contacts = [copy.deepcopy(CONTACTS[2]) | {"firstName": "Luisito"}] + copy.deepcopy(CONTACTS)
    folder = write_edfi(tmp_path / "edfi", {"contacts": contacts}, split={"contacts": 2})
    # 10 parts sort after 2 by number, not by text
    (folder / "contacts-2.json").rename(folder / "Contacts-10.json")
    (folder / "contacts-1.json").rename(folder / "contacts-2.json")
    (folder / "notes.json").write_text("[]", encoding="utf-8")
    report = await run(folder)
    assert not report.has_errors, report.lines()
    assert any("notes.json: is not one of the Ed-Fi resources" in line for line in report.lines())
    luis = await Person.select(Person.given_name).where(Person.source_id == "9001").first()
    assert luis["given_name"] == "Luis"  # contacts-2 then Contacts-10: the later document wins
    assert any("contacts-2.json" not in line and "Contacts-10.json, array index 1, field contactUniqueId: '9001' is "
               "given twice" in line for line in report.lines()), report.lines()


async def test_a_contact_change_in_the_sis_replaces_phones_and_moves_the_household(clean_database, tmp_path):
    from app.tables import ContactPhone, Household, HouseholdMember, Person

    await roster(tmp_path)
    assert not (await run(write_edfi(tmp_path / "one", full_set()))).has_errors
    moved = copy.deepcopy(CONTACTS)
    for c in moved[:2]:
        c["addresses"] = [{**c["addresses"][-1], "streetNumberName": "99 Pine Avenue", "apartmentRoomSuiteNumber": ""}]
    moved[0]["telephones"] = [moved[0]["telephones"][1] | {"telephoneNumberTypeDescriptor":
                                                            "uri://ed-fi.org/TelephoneNumberTypeDescriptor#Mobile"}]
    households_before = await Household.count()
    report = await run(write_edfi(tmp_path / "two", {"contacts": moved, "studentContactAssociations": ASSOCIATIONS}))
    assert not report.has_errors, report.lines()
    assert await Household.count() == households_before  # the family moved: the same household, a new address
    home = await Household.select().where(Household.source_id == "edfi-household-gua-tom").first()
    assert (home["address_line1"], home["address_line2"]) == ("99 Pine Avenue", "")
    assert await HouseholdMember.count().where(HouseholdMember.household == home["id"]) == 4
    rosa = await Person.select(Person.id).where(Person.source_id == "par-rosa").first()
    assert await ContactPhone.select(ContactPhone.kind, ContactPhone.number).where(
        ContactPhone.person == rosa["id"]) == [{"kind": "mobile", "number": "+14045550102"}]


async def test_unknown_references_are_skipped_with_a_warning_that_names_the_field(clean_database, tmp_path):
    from tests.integration.edfi_files import GRADING_PERIODS, grade, school_event

    await roster(tmp_path)
    resources = {"grades": [grade("7777", "cls-math-1", "sch-oak", "MA6", "Third Nine Weeks", "A", None),
                            grade("1001", "nope", "sch-oak", "MA6", "Third Nine Weeks", "A", None)],
                 "gradingPeriods": GRADING_PERIODS,
                 "studentSchoolAttendanceEvents": [school_event("1001", "sch-nowhere", "2026-03-02", "Tardy")],
                 "studentContactAssociations": [ASSOCIATIONS[0] | {"contactReference": {"contactUniqueId": "zz"}}]}
    report = await run(write_edfi(tmp_path / "edfi", resources))
    assert not report.has_errors, report.lines()
    text = "\n".join(report.lines())
    assert ("WARNING: grades.json, array index 0, field studentSectionAssociationReference.studentUniqueId: is not a "
            "student in Homeroom") in text
    assert ("grades.json, array index 1, field studentSectionAssociationReference.sectionIdentifier: is not a class "
            "in Homeroom") in text
    assert "studentSchoolAttendanceEvents.json, array index 0, field schoolReference.schoolId: is not a school" in text
    assert ("studentContactAssociations.json, array index 0, field contactReference.contactUniqueId: is not a "
            "contact") in text


async def test_bad_documents_are_errors_with_their_place_and_nothing_changes(clean_database, tmp_path):
    await roster(tmp_path)
    before = await everything()
    bad_grade = copy.deepcopy(GRADES[0])
    bad_grade["numericGradeEarned"] = "eighty"
    bad_contact = copy.deepcopy(CONTACTS[2])
    bad_contact["telephones"] = [{"telephoneNumber": 4045550133}]
    resources = full_set() | {"grades": [GRADES[1], bad_grade], "contacts": [CONTACTS[0], bad_contact, "oops"]}
    resources["studentSchoolAttendanceEvents"] = [dict(resources["studentSchoolAttendanceEvents"][0],
                                                       eventDate="03/09/2026")]
    report = await run(write_edfi(tmp_path / "edfi", resources))
    assert report.has_errors
    text = "\n".join(report.lines())
    for expected in (
            "ERROR: contacts.json, array index 1, field telephones[0].telephoneNumber: must be a string, not a number",
            "ERROR: contacts.json, array index 1, field telephones[0].telephoneNumberTypeDescriptor: is missing",
            "ERROR: contacts.json, array index 2: each element of the array must be a JSON object",
            "ERROR: grades.json, array index 1, field numericGradeEarned: 'eighty' is not a number",
            "ERROR: studentSchoolAttendanceEvents.json, array index 0, field eventDate: '03/09/2026' is not a date"):
        assert expected in text, text
    assert await everything() == before


async def test_a_file_that_is_not_a_json_array_is_an_error_and_nothing_changes(clean_database, tmp_path):
    await roster(tmp_path)
    before = await everything()
    folder = write_edfi(tmp_path / "edfi", full_set())
    (folder / "grades.json").write_text(json.dumps({"grades": GRADES}), encoding="utf-8")
    cut = json.dumps(full_set()["studentSchoolAttendanceEvents"])
    (folder / "studentSchoolAttendanceEvents.json").write_text(cut[:len(cut) // 2 + 7], encoding="utf-8")
    report = await run(folder)
    text = "\n".join(report.lines())
    assert "ERROR: grades.json: the file must be a JSON array of resources" in text
    assert "ERROR: studentSchoolAttendanceEvents.json: is not valid JSON after array index" in text
    assert await everything() == before


async def restrictions() -> list[tuple]:
    from app.tables.access import AccessRestriction

    return [(r["guardian"], r["student"], r["reason"], r["reference"], r["source"], r["lifted"] is not None)
            for r in await AccessRestriction.select(
                AccessRestriction.guardian.source_id.as_alias("guardian"),
                AccessRestriction.student.source_id.as_alias("student"), AccessRestriction.reason,
                AccessRestriction.reference, AccessRestriction.source,
                AccessRestriction.lifted_at.as_alias("lifted")).order_by(AccessRestriction.id)]


async def test_contact_restrictions_switch_portal_access_off_through_the_access_service(clean_database, tmp_path):
    from app.services.access import block_access, may_see
    from app.tables import Person

    await roster(tmp_path)
    restricted = [ASSOCIATIONS[2] | {"contactRestrictions": "Court order 2026-114: no contact"}, ASSOCIATIONS[1]]
    report = await run(write_edfi(tmp_path / "one", {"studentContactAssociations": restricted}))
    assert not report.has_errors, report.lines()
    assert await restrictions() == [("gua-tom", "stu-ben", "court-order", "Court order 2026-114: no contact",
                                     "edfi", False)]
    tom, ben = await Person.select(Person.id).where(Person.source_id == "gua-tom").first(), \
        await Person.select(Person.id).where(Person.source_id == "stu-ben").first()
    assert not await may_see(tom["id"], ben["id"])
    again = await run(write_edfi(tmp_path / "one", {"studentContactAssociations": restricted}))
    assert again.counts.get("access restrictions") == 0  # the same restriction again changes nothing

    # staff also block Rosa, and the district's restrictions CSV blocks Tom too (a court order the SIS lacks);
    # the SIS then sends both links without restrictions: only Ed-Fi's own restriction is lifted
    assert (await block_access("par-rosa", "stu-ben", "custody-agreement", source="staff")).done == "blocked"
    assert (await block_access("gua-tom", "stu-ben", "court-order", "2026-CV-7", source="import")).done == "blocked"
    lifted = await run(write_edfi(tmp_path / "two", {"studentContactAssociations": [ASSOCIATIONS[2],
                                                                                     ASSOCIATIONS[1]]}))
    assert lifted.counts["access restrictions lifted"] == 1
    assert [(g, source, lifted_) for g, _, _, _, source, lifted_ in await restrictions()] == [
        ("gua-tom", "edfi", True), ("par-rosa", "staff", False), ("gua-tom", "import", False)]
    assert not await may_see(tom["id"], ben["id"])  # the CSV's court order still holds
    from app.services.access import unblock_access
    assert (await unblock_access("gua-tom", "stu-ben", source="import")).done == "unblocked"
    assert await may_see(tom["id"], ben["id"])


def test_the_command_exit_codes(tmp_path, migrated_database, capsys):
    from app.cli import main

    assert main(["import", "edfi", "--folder", str(tmp_path / "missing")]) == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["import", "edfi", "--folder", str(empty)]) == 2
    assert main(["import", "edfi", "--url", "http://127.0.0.1:9/api"]) == 2  # no key and secret
    folder = write_edfi(tmp_path / "bad", {"grades": [{"gradeTypeDescriptor": 3}]})
    report = tmp_path / "problems.csv"
    assert main(["import", "edfi", "--folder", str(folder), "--report", str(report)]) == 1
    assert "NOTHING WAS CHANGED" in capsys.readouterr().err
    lines = report.read_text(encoding="utf-8-sig").splitlines()  # for a spreadsheet: a byte-order mark first
    assert lines[0] == '"file","array index","field","severity","message"'  # every cell quoted (app/csv_files.py)
    assert '"grades.json","0","gradeTypeDescriptor","error","must be a string, not a number"' in lines, lines


# ------------------------------------------------------------------------------------------- the HTTP path

def every_resource(resources: dict[str, list]) -> dict[str, list]:
    from app.importers.edfi_source import RESOURCES

    return {name: resources.get(name, []) for name in RESOURCES}


async def run_api(server, *, secret: str | None = None, page_size: int = 2):
    from app.importers.edfi import import_edfi
    from app.importers.edfi_source import ApiSource
    from tests.integration.edfi_server import KEY, SECRET

    return await import_edfi(ApiSource(server.url, KEY, secret or SECRET, page_size=page_size))


async def test_the_api_path_pages_through_every_resource_like_the_folder(clean_database, tmp_path):
    from tests.integration.edfi_server import EdfiServer

    await roster(tmp_path)
    with EdfiServer(every_resource(full_set())) as server:
        report = await run_api(server)
    assert not report.has_errors, report.lines()
    assert report.counts["attendance events"] == 5 and report.counts["term grades"] == 2
    # the token first, then pages of 2 with totalCount on the first page of each resource
    assert server.requests[:2] == ["/api/", "/api/oauth/token"]
    assert "/api/data/v3/ed-fi/contacts?offset=0&limit=2&totalCount=true" in server.requests
    assert "/api/data/v3/ed-fi/contacts?offset=2&limit=2" in server.requests
    assert "/api/data/v3/ed-fi/contacts?offset=4&limit=2" not in server.requests  # page 2 had 1 < limit
    # the same set from a folder afterwards finds nothing to change
    again = await run(write_edfi(tmp_path / "edfi", full_set()))
    assert {k: v for k, v in again.counts.items() if v} == {}, again.counts


async def test_an_expired_token_is_renewed_once(clean_database, tmp_path):
    from tests.integration.edfi_server import EdfiServer

    await roster(tmp_path)
    with EdfiServer(every_resource(full_set())) as server:
        server.expire_next = True
        report = await run_api(server, page_size=500)
    assert not report.has_errors, report.lines()
    assert server.requests.count("/api/oauth/token") == 2


async def test_api_failures_are_located_errors_and_change_nothing(clean_database, tmp_path):
    from tests.integration.edfi_server import EdfiServer

    await roster(tmp_path)
    before = await everything()
    bad = copy.deepcopy(CONTACTS)
    bad[1]["firstName"] = ["Tom"]
    with EdfiServer(every_resource(full_set() | {"contacts": bad})) as server:
        wrong = await run_api(server, secret="wrong")
        page = await run_api(server)
        server.fail_with = 403
        refused = await run_api(server)
    assert wrong.has_errors and any("refused the key and secret" in line for line in wrong.lines()), wrong.lines()
    assert any("ERROR: contacts page 1 (offset 0), array index 1, field firstName: must be a string, not an array"
               in line for line in page.lines()), page.lines()
    assert any("ERROR: students page 1 (offset 0): the ODS/API answered 403" in line for line in refused.lines())
    assert await everything() == before


def test_the_command_reads_the_secret_from_the_environment(tmp_path, migrated_database, monkeypatch, capsys):
    from app.cli import main
    from tests.integration.edfi_server import KEY, SECRET, EdfiServer

    monkeypatch.setenv("HOMEROOM_EDFI_SECRET", SECRET)
    with EdfiServer(every_resource({})) as server:
        assert main(["import", "edfi", "--url", server.url, "--key", KEY]) == 0
        monkeypatch.setenv("HOMEROOM_EDFI_SECRET", "wrong")
        assert main(["import", "edfi", "--url", server.url, "--key", KEY]) == 1
    assert "refused the key and secret" in capsys.readouterr().err


async def test_a_parents_confirmed_change_wins_until_ed_fi_sends_it_or_a_newer_value(clean_database, tmp_path):
    """Issue 10 item 4 through the Ed-Fi import (the rule: app/rules/sis_sync.py): the old SIS value keeps the
    portal's; a third value wins; a parent's own phone is never touched; an approved address holds too."""
    from app.services.sis_sync import address_value, record_portal_change
    from app.tables import ContactPhone, Household, Person

    await roster(tmp_path)
    assert not (await run(write_edfi(tmp_path / "one", full_set()))).has_errors
    rosa = await Person.select(Person.id).where(Person.source_id == "par-rosa").first()
    home = await Household.select(Household.id).where(Household.source_id == "edfi-household-gua-tom").first()
    await Person.update({Person.email: "rosa.new@example.org"}).where(Person.id == rosa["id"])
    await record_portal_change("email", "rosa.new@example.org", "rosa.rivera@example.org", person=rosa["id"])
    await ContactPhone.insert(ContactPhone(person=rosa["id"], kind="work", number="+14045550177", from_sis=False))
    await Household.update({Household.address_line1: "5 New Road", Household.address_line2: ""}).where(
        Household.id == home["id"])
    await record_portal_change("address", address_value("5 New Road", "", "Maple", "GA", "30301"),
                               address_value("12 Elm Street", "4B", "Maple", "GA", "30301"), household=home["id"])

    old = copy.deepcopy(full_set())
    for contact in old["contacts"]:  # an older export: modified before the parent's change
        contact["_lastModifiedDate"] = "2026-03-01T08:00:00.1234567Z"
    assert not (await run(write_edfi(tmp_path / "old", old))).has_errors
    person = await Person.select(Person.email).where(Person.id == rosa["id"]).first()
    assert person["email"] == "rosa.new@example.org"
    household = await Household.select(Household.address_line1).where(Household.id == home["id"]).first()
    assert household["address_line1"] == "5 New Road"
    assert "+14045550177" in [p["number"] for p in await ContactPhone.select(ContactPhone.number).where(
        ContactPhone.person == rosa["id"])]

    third = copy.deepcopy(old)
    third["contacts"][0]["electronicMails"] = [{"electronicMailAddress": "rosa.third@example.org",
                                                "primaryEmailAddressIndicator": True}]
    report = await run(write_edfi(tmp_path / "third", third))
    assert not report.has_errors, report.lines()
    person = await Person.select(Person.email).where(Person.id == rosa["id"]).first()
    assert person["email"] == "rosa.third@example.org"
    assert report.counts["portal changes the SIS has now loaded"] == 1


async def test_pages_shorter_than_asked_for_are_read_on_to_the_total_and_a_server_that_does_not_page_is_refused(
        clean_database, tmp_path):
    """An IT lead's find: an ODS/API (or a proxy) capping pages at fewer than asked for stopped the read after one
    page with exit 0; one ignoring `offset` was read for ever inside one transaction."""
    from tests.integration.edfi_server import EdfiServer

    await roster(tmp_path)
    before = await everything()
    with EdfiServer(every_resource(full_set())) as server:
        server.ignore_offset = True
        looping = await run_api(server, page_size=2)
    assert any("the ODS/API answered with the same resources as the page before: it does not page by offset"
               in line for line in looping.lines()), looping.lines()
    assert len(server.requests) < 20 and await everything() == before
    with EdfiServer(every_resource(full_set())) as server:
        server.page_cap = 1
        report = await run_api(server, page_size=500)
    assert not report.has_errors, report.lines()
    assert report.counts["attendance events"] == 5 and report.counts["term grades"] == 2
    assert "/api/data/v3/ed-fi/contacts?offset=2&limit=500" in server.requests


async def test_a_document_nested_far_deeper_than_ed_fi_is_refused_by_place_without_the_memory(clean_database,
                                                                                                tmp_path):
    """An IT lead's find: 240 KB nested 40,000 deep took 1.66 GB through ijson's items(); from the API, a bare
    RecursionError named no page."""
    from app.importers.edfi_source import MAX_DEPTH
    from tests.integration.edfi_server import EdfiServer

    await roster(tmp_path)
    before = await everything()
    folder = write_edfi(tmp_path / "deep", full_set())
    (folder / "contacts.json").write_text(
        '[{"contactUniqueId": "DEEP-1", "extra": ' + '{"a": ' * 40_000 + "1" + "}" * 40_000 + "}]")
    report = await run(folder)
    assert report.has_errors and await everything() == before
    assert any(f"contacts.json: array index 0 is nested more than {MAX_DEPTH} levels deep" in line
               for line in report.lines()), report.lines()
    with EdfiServer(every_resource(full_set())) as server:
        server.raw_pages = {"contacts": "[" * 100_000 + "]" * 100_000}
        api = await run_api(server, page_size=500)
    assert any("the page is nested too deep to be Ed-Fi resources" in line for line in api.lines()), api.lines()
    assert await everything() == before
