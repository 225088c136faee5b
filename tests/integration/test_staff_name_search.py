"""A school office clerk finds a student or guardian by name however its accents, case, apostrophes and hyphens
are typed ("Nunez" finds "Núñez", "OBrien" finds "O’Brien"; app/rules/names.py), with the same results on
SQLite and PostgreSQL (the suite runs on both). The names come in through the OneRoster and Ed-Fi imports,
which write each person's search key; a database migrated before the key existed has it filled."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import uuid
from urllib.parse import quote

import pytest

from tests.conftest import PROJECT_ROOT
from tests.integration.edfi_files import CONTACTS, full_set, write_edfi
from tests.integration.fresh_database import fresh_database, run_sql
from tests.integration.roster_files import PEOPLE, full_set_11, users_11, write_set
from tests.integration.test_staff_console import as_staff, staff_account, words

# The Maple district of roster_files.py with the names an SIS really sends.
NAMES = {"stu-ana": ("Ana", "Núñez"), "stu-ben": ("Benito", "O’Brien"), "par-rosa": ("Rosa", "Smith-Jones"),
         "rel-gran": ("Gloria", "D'Angelo"), "gua-tom": ("José", "Nguyễn")}
EDFI_CONTACT = ("Łukasz", "Øvergaard")  # contact 9001, a guardian only Ed-Fi brings


async def import_roster(folder, names: dict[str, tuple[str, str]]) -> None:
    from app.importers.oneroster import import_oneroster

    people = [(sid, role, orgs, *names.get(sid, (given, family)), *rest)
              for sid, role, orgs, given, family, *rest in PEOPLE]
    report = await import_oneroster(write_set(folder, {**full_set_11(), "users": users_11(people)}))
    assert not report.has_errors, report.lines()


@pytest.fixture
async def imported(clean_database, tmp_path):
    from app.importers.edfi import import_edfi
    from app.importers.edfi_source import FolderSource

    await import_roster(tmp_path / "roster", NAMES)
    contacts = copy.deepcopy(CONTACTS)  # Rosa's and Tom's names as Ed-Fi has them do not replace OneRoster's
    contacts[2]["firstName"], contacts[2]["lastSurname"] = EDFI_CONTACT
    report = await import_edfi(FolderSource(write_edfi(tmp_path / "edfi", {**full_set(), "contacts": contacts})))
    assert not report.has_errors, report.lines()


def signed_in(role: str, school_id: int | None = None):
    from app.services.sessions import SignedInAccount

    return SignedInAccount(id=0, username="office", role=role, person_id=None, school_id=school_id, language="en")


async def found(typed: str, staff=None) -> tuple[list[str], list[str]]:
    from app.services.staff_search import find_people

    people = await find_people(staff or signed_in("district-admin"), typed)
    return ([f"{s['given_name']} {s['family_name']}" for s in people["students"]],
            [f"{g['given_name']} {g['family_name']}" for g in people["guardians"]])


@pytest.mark.parametrize("typed, students, guardians", [
    ("Nunez", ["Ana Núñez"], []),
    ("NÚÑEZ", ["Ana Núñez"], []),
    ("Nu\u0301n\u0303ez", ["Ana Núñez"], []),  # typed decomposed
    ("ana nunez", ["Ana Núñez"], []),
    ("OBrien", ["Benito O’Brien"], []),
    ("O Brien", ["Benito O’Brien"], []),
    ("O'Brien", ["Benito O’Brien"], []),
    ("o’brien", ["Benito O’Brien"], []),
    ("brie", ["Benito O’Brien"], []),  # part of a name
    ("Smith Jones", [], ["Rosa Smith-Jones"]),
    ("SmithJones", [], ["Rosa Smith-Jones"]),
    ("smith-jones rosa", [], ["Rosa Smith-Jones"]),
    ("DAngelo", [], ["Gloria D'Angelo"]),
    ("d’angelo", [], ["Gloria D'Angelo"]),
    ("Jose", [], ["José Nguyễn"]),
    ("Nguyen", [], ["José Nguyễn"]),
    ("Lukasz Overgaard", [], ["Łukasz Øvergaard"]),  # brought by Ed-Fi
    ("Rivera", [], []),  # Ed-Fi's older names for Rosa and Tom were not written, nor searched
    ("Nunez Smith", [], []),  # every word must be in the one person's name
])
async def test_a_clerk_finds_a_name_without_its_accents_case_apostrophes_or_hyphens(imported, typed, students,
                                                                                     guardians):
    assert await found(typed) == (students, guardians)


async def test_a_name_the_sis_changes_is_found_by_its_new_spelling_only(imported, tmp_path):
    await import_roster(tmp_path / "again", {**NAMES, "stu-ana": ("Ana", "Muñoz-Núñez")})
    assert await found("munoz nunez") == (["Ana Muñoz-Núñez"], [])
    await import_roster(tmp_path / "once-more", {**NAMES, "stu-ana": ("Anaïs", "Peña")})
    assert await found("nunez") == ([], [])
    assert await found("anais pena") == (["Anaïs Peña"], [])


async def test_student_numbers_and_guardian_emails_are_found_as_before(imported):
    assert await found("1001") == (["Ana Núñez"], [])
    assert await found(" 10 02 ") == (["Benito O’Brien"], [])
    assert await found("Rosa.Rivera@Example.org") == ([], ["Rosa Smith-Jones"])
    assert await found("tom@example.org") == ([], ["José Nguyễn"])
    assert await found("tom@example") == ([], [])  # an email address is matched whole, never as a name
    from app.tables import Person

    await Person.update({Person.student_number: "S1001"}).where(Person.source_id == "stu-ana")
    assert await found("s1001") == (["Ana Núñez"], [])  # a number's letters typed in either case (a tester's find)


@pytest.mark.parametrize("typed", ["'", "-", ".", "’", "%", "_", "\\", "%%", "' - ."])
async def test_punctuation_alone_finds_nobody(imported, typed):
    # "%" and "_" were LIKE wildcards in the typed text, and found everyone.
    assert await found(typed) == ([], [])


async def test_school_staff_still_find_only_their_schools_students_and_guardians(imported):
    from app.tables import School

    oak = (await School.select(School.id).where(School.source_id == "sch-oak").first())["id"]
    staff = signed_in("school-staff", oak)
    assert await found("nunez", staff) == (["Ana Núñez"], [])  # Ana is at Oak
    assert await found("obrien", staff) == ([], [])  # Benito is at Elm
    assert await found("jose", staff) == ([], [])  # Tom is Benito's guardian only
    assert await found("Overgaard", staff) == ([], ["Łukasz Øvergaard"])  # Ana's uncle


async def test_the_audit_log_finds_a_person_by_a_name_typed_without_accents(imported):
    from app.services import audit
    from app.services.audit_log import AuditFilter, audit_log
    from app.tables import Person

    ana = (await Person.select(Person.id).where(Person.source_id == "stu-ana").first())["id"]
    await audit.record("staff.viewed-student", person=ana)
    assert [e["action"] for e in (await audit_log(AuditFilter(person="NUNEZ"))).events] == ["staff.viewed-student"]
    assert (await audit_log(AuditFilter(person="Obrien"))).events == []


async def test_a_search_with_more_than_fifty_matches_says_so_and_puts_the_whole_name_first(imported, portal):
    """Searching "Nguyen" in a district of many Nguyens showed 50, with no word that more were left out, and "An
    Nguyen" listed the real An Nguyễn 41st, after every hoA Nguyen (a tester's find)."""
    from app.rules.names import person_name_key
    from app.services.staff_search import MOST_FOUND
    from app.tables import Person

    for n in range(MOST_FOUND + 10):
        given = ("Hoa", "Anh", "Tuan")[n % 3]
        await Person.insert(Person(source_id=f"stu-ng{n}", kind="student", given_name=given, family_name="Nguyen",
                                   name_key=person_name_key(given, "Nguyen"), student_number=f"N{n:04d}",
                                   status="active"))
    await Person.insert(Person(source_id="stu-an", kind="student", given_name="An", family_name="Nguyễn",
                               name_key=person_name_key("An", "Nguyễn"), student_number="N9999", status="active"))
    people = (await found("An Nguyen"))[0]
    assert people[0] == "An Nguyễn" and len(people) == MOST_FOUND  # past the first 50 by family name: read too
    assert (await found("Nguyen an"))[0][0] == "An Nguyễn"
    from app.services.staff_search import find_people

    everyone = await find_people(signed_in("district-admin"), "Nguyen")
    assert everyone["more_students"] and not everyone["more_guardians"] and len(everyone["students"]) == MOST_FOUND
    await staff_account("DistrictAdmin", "district-admin", None)
    await as_staff(portal, "DistrictAdmin")
    page = words((await portal.get("/staff?q=Nguyen")).text)
    assert "More students match than the 50 shown (whole names first, then by family name): add a given name, or " \
           "search by student number." in page
    assert "More students match" not in words((await portal.get("/staff?q=Nunez")).text)


async def test_the_console_shows_what_was_typed_as_it_was_typed(portal, imported):
    await staff_account("DistrictAdmin", "district-admin", None)
    await as_staff(portal, "DistrictAdmin")

    page = (await portal.get("/staff?q=" + quote("O’Brien"))).text
    assert 'value="O’Brien"' in page and ">Benito O’Brien</a>" in page
    page = (await portal.get("/staff?q=" + quote("o'brien"))).text
    assert 'value="o&#39;brien"' in page and ">Benito O’Brien</a>" in page
    page = (await portal.get("/staff?q=Nunez", htmx=True)).text
    assert 'value="Nunez"' in page and ">Ana Núñez</a>" in page
    # Each student with their school and grade, so namesakes can be told apart (a tester's find).
    assert "Ana Núñez (1001), Oak Middle School, 6th grade" in words(page)

    nothing = await portal.get("/staff?q=" + quote("Zúñiga-Ortíz"))
    assert nothing.status_code == 200 and 'value="Zúñiga-Ortíz"' in nothing.text
    assert "Students No students found. Guardians No guardians found." in words(nothing.text)
    punctuation = await portal.get("/staff?q=" + quote("'%_"))
    assert punctuation.status_code == 200 and "No students found." in words(punctuation.text)


async def test_a_nul_in_the_address_is_a_plain_400_on_every_engine(portal, imported):
    """PostgreSQL refuses a NUL in any text: `/staff?q=%00` (and the audit log's filters) were a 500 there and a
    200 on SQLite (an attacker's find). No address of the portal's has one: a 400 page in the portal's frame."""
    await staff_account("DistrictAdmin", "district-admin", None)
    await as_staff(portal, "DistrictAdmin")
    for address in ("/staff?q=%00", "/staff?q=a%00b", "/staff/audit?person=%00", "/staff/audit?student=%00"):
        answer = await portal.get(address)
        assert answer.status_code == 400, address
        assert "Something in the request was not right" in answer.text and 'href="/staff"' in answer.text
    assert (await portal.get("/staff?q=" + quote("100%00"))).status_code == 200  # typed, the % is sent as %25


# --- the migration that adds the key ----------------------------------------------------------------------

BEFORE_NAME_KEY = "2026-12-01T04:30:00:000000"


def _run(*command: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "PICCOLO_CONF": "piccolo_conf"}
    result = subprocess.run([sys.executable, "-m", *command], cwd=PROJECT_ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


async def test_migrating_fills_the_key_of_the_people_already_there(tmp_path):
    from app.rules.names import person_name_key

    async with fresh_database(tmp_path, "homeroom_name_key") as url:
        _run("piccolo.main", "migrations", "forwards", "homeroom", BEFORE_NAME_KEY, database_url=url)
        names = [(f"p{n}", given, family) for n, (given, family) in enumerate(
            [*NAMES.values(), EDFI_CONTACT, ("بنيتو", "ריברה"), ("", "")] * 100)]  # more than one statement's worth
        await run_sql(url, "INSERT INTO person (source_id, public_id, kind, given_name, family_name) "
                           "VALUES (?, ?, 'guardian', ?, ?)",
                      [(source_id, str(uuid.uuid4()), given, family) for source_id, given, family in names])
        _run("app.cli", "migrate", database_url=url)
        keys = dict(await run_sql(url, "SELECT source_id, name_key FROM person"))
        assert keys == {source_id: person_name_key(given, family) for source_id, given, family in names}
        assert (keys["p0"], keys["p1"], keys["p5"], keys["p6"], keys["p7"]) == (
            "ananunez", "benitoobrien", "lukaszovergaard", "بنيتوריברה", "")
