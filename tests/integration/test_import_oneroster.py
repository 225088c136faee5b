"""`homeroom import oneroster` (issue 5): OneRoster 1.1 and 1.2, bulk and delta, a re-run that changes
nothing, a bad row that changes nothing at all, the real sample sets, and a guardian from the file who
gets a key, signs in and sees the imported schedule, grades and attendance."""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.integration.district import PASSWORD, make_account
from tests.integration.roster_files import (
    DEMOGRAPHICS,
    ENROLLMENTS,
    PEOPLE,
    dump_tables,
    full_set_11,
    full_set_12,
    manifest,
    users_11,
    write_set,
    zip_set,
)

# The public sample sets live beside the checkout (/work/shared/...): found from /work/main or a worktree below.
SAMPLES = next((folder / "shared" / "fixtures" / "oneroster" for folder in Path(__file__).parents[2:]
                if (folder / "shared" / "fixtures" / "oneroster").is_dir()),
               Path(__file__).parents[2].parent / "shared" / "fixtures" / "oneroster")
PROJECT_ROOT = Path(__file__).parents[2]

# What the full sets (1.1 and 1.2, roster_files.py) make of the families and their schools, whichever
# version carries them: guardian links (relationship, is_guardian, portal_access) and school enrollments
# (grade, status); the district org a student also names is passed over.
FULL_SET_LINKS = {
    ("par-rosa", "stu-ana"): ("parent", True, True),
    ("par-rosa", "stu-ben"): ("parent", True, True),
    ("rel-gran", "stu-ana"): ("relative", False, True),
    ("gua-tom", "stu-ben"): ("guardian", True, True),
}
FULL_SET_SCHOOL_ENROLLMENTS = {("stu-ana", "sch-oak"): ("06", "active"), ("stu-ben", "sch-elm"): ("03", "active")}


async def run_import(folder: Path):
    from app.importers.oneroster import import_oneroster

    return await import_oneroster(folder)


async def person(source_id: str):
    from app.tables import Person

    return await Person.objects().where(Person.source_id == source_id).first()


async def links() -> dict[tuple[str, str], tuple[str, bool, bool]]:
    from app.tables import GuardianLink

    rows = await GuardianLink.select(GuardianLink.guardian.source_id.as_alias("g"),
                                     GuardianLink.student.source_id.as_alias("s"), GuardianLink.relationship,
                                     GuardianLink.is_guardian, GuardianLink.portal_access)
    return {(r["g"], r["s"]): (r["relationship"], r["is_guardian"], r["portal_access"]) for r in rows}


async def school_enrollments() -> dict[tuple[str, str], tuple[str, str]]:
    from app.tables import SchoolEnrollment

    rows = await SchoolEnrollment.select(SchoolEnrollment.student.source_id.as_alias("s"),
                                         SchoolEnrollment.school.source_id.as_alias("o"), SchoolEnrollment.grade,
                                         SchoolEnrollment.status)
    return {(r["s"], r["o"]): (r["grade"], r["status"]) for r in rows}


def messages(report) -> list[str]:
    return report.lines()


# ---- OneRoster 1.1, bulk ----

async def test_1_1_bulk_set_fills_every_table(clean_database, tmp_path):
    from app.tables import AcademicSession, LineItem, Result, School, Section, SectionEnrollment, SectionTerm

    report = await run_import(write_set(tmp_path / "set", full_set_11()))
    assert not report.has_errors, messages(report)

    assert {s["source_id"] for s in await School.select(School.source_id)} == {"sch-elm", "sch-oak"}
    ana, rosa, gran, lee = [await person(s) for s in ("stu-ana", "par-rosa", "rel-gran", "tch-lee")]
    assert (ana.kind, ana.student_number, str(ana.birth_date)) == ("student", "1001", "2014-05-02")
    assert (rosa.kind, rosa.email, rosa.student_number) == ("guardian", "rosa.rivera@example.org", None)
    assert (lee.kind, lee.email, lee.student_number) == ("teacher", "lee@school.example", None)
    assert gran.kind == "guardian"
    assert await person("adm-kay") is None  # staff roles are not portal people
    assert any("staff roles" in line and "adm-kay" not in line for line in messages(report))

    assert await links() == FULL_SET_LINKS
    # The district org in Ana's orgSourcedIds is passed over; her school is Oak, in grade 06.
    assert await school_enrollments() == FULL_SET_SCHOOL_ENROLLMENTS

    sessions = {r["source_id"]: r for r in await AcademicSession.select()}
    assert sessions["gp-3"]["parent"] == sessions["sem-2"]["id"]  # a child listed before its parent
    sections = await Section.select()
    assert {s["source_id"]: (s["periods"], s["room"]) for s in sections} == {
        "cls-math-1": ("1", "Room 101"), "cls-art-2": ("2", "Studio")}
    for section in sections:
        assert uuid.UUID(section["public_id"]).version == 4
    assert await SectionTerm.count() == 3
    teacher = await SectionEnrollment.objects().where(SectionEnrollment.source_id == "enr-1").first()
    assert teacher.is_primary and teacher.role == "teacher"
    item = await LineItem.objects().where(LineItem.source_id == "li-1").first()
    assert (item.category, item.points_possible, str(item.due_date)) == ("Homework", 20.0, "2026-03-05")
    score = await Result.objects().where(Result.source_id == "res-1").first()
    assert (score.score, score.score_status, score.comment) == (18.0, "fully graded", "Nice work")


async def test_running_the_same_files_again_changes_nothing(clean_database, tmp_path, clock):
    folder = write_set(tmp_path / "set", full_set_11())
    assert not (await run_import(folder)).has_errors
    before = await dump_tables()
    clock.advance(days=1)
    report = await run_import(folder)
    assert not report.has_errors
    assert not any(report.counts.values()), report.counts
    assert await dump_tables() == before


async def test_a_zip_imports_like_a_folder(clean_database, tmp_path):
    folder = write_set(tmp_path / "set", full_set_11())
    report = await run_import(zip_set(folder, tmp_path / "maple.zip"))
    assert not report.has_errors, messages(report)
    assert (await person("stu-ben")).student_number == "1002"


async def test_bulk_makes_absent_rows_inactive_and_ends_their_links(clean_database, tmp_path):
    from app.tables import SectionEnrollment

    assert not (await run_import(write_set(tmp_path / "one", full_set_11()))).has_errors
    files = full_set_11()
    files["users"] = users_11([p for p in PEOPLE if p[0] not in ("stu-ben", "gua-tom")])
    files["enrollments"] = [row for row in ENROLLMENTS if row[5] != "stu-ben"]
    files["demographics"] = DEMOGRAPHICS[:2]
    report = await run_import(write_set(tmp_path / "two", files))
    assert not report.has_errors, messages(report)

    assert (await person("stu-ben")).status == "inactive"
    assert (await person("gua-tom")).status == "inactive"
    assert (await person("stu-ana")).status == "active"
    assert set(await links()) == {("par-rosa", "stu-ana"), ("rel-gran", "stu-ana")}
    assert (await school_enrollments())[("stu-ben", "sch-elm")] == ("03", "inactive")
    gone = await SectionEnrollment.objects().where(SectionEnrollment.source_id == "enr-3").first()
    assert gone.status == "inactive"


# ---- delta ----

async def test_delta_changes_only_the_rows_it_lists_and_honours_tobedeleted(clean_database, tmp_path):
    from app.tables import Section, SectionEnrollment

    assert not (await run_import(write_set(tmp_path / "one", full_set_11()))).has_errors
    delta_users = users_11([("stu-ana", "student", "sch-oak", "Ana", "Rivera-Lopez", "1001", "", "", "07")])
    delta_users.append(users_11([PEOPLE[4]], status="tobedeleted")[1])  # Tom
    enrollments = [ENROLLMENTS[0], ["enr-3", "tobedeleted", "2026-03-01T00:00:00Z", "", "", "", "", "", "", ""]]
    files = {"manifest": manifest("1.1", {"users": "delta", "enrollments": "delta"}),
             "users": delta_users, "enrollments": enrollments}
    report = await run_import(write_set(tmp_path / "delta", files))
    assert not report.has_errors, messages(report)

    ana = await person("stu-ana")
    assert (ana.family_name, ana.status, str(ana.birth_date)) == ("Rivera-Lopez", "active", "2014-05-02")
    assert (await school_enrollments())[("stu-ana", "sch-oak")] == ("07", "active")
    assert (await person("stu-ben")).status == "active"  # not in the delta: untouched
    assert (await person("gua-tom")).status == "inactive"
    # Ana's row has no agentSourcedIds: in a delta that leaves her links alone. Tom's links end.
    assert set(await links()) == {("par-rosa", "stu-ana"), ("par-rosa", "stu-ben"), ("rel-gran", "stu-ana")}
    ended = await SectionEnrollment.objects().where(SectionEnrollment.source_id == "enr-3").first()
    assert ended.status == "inactive"
    assert await Section.count() == 2


# ---- OneRoster 1.2, roles.csv ----

async def test_1_2_set_takes_roles_and_guardians_from_roles_csv(clean_database, tmp_path):
    from app.tables import Result

    report = await run_import(write_set(tmp_path / "set", full_set_12()))
    assert not report.has_errors, messages(report)
    assert (await person("stu-ana")).kind == "student"
    assert (await person("tch-lee")).kind == "teacher"
    assert await person("adm-kay") is None
    assert await links() == FULL_SET_LINKS
    # 1.2: a student's schools are their student rows in roles.csv (the district row is passed over).
    assert await school_enrollments() == FULL_SET_SCHOOL_ENROLLMENTS
    score = await Result.objects().where(Result.source_id == "res-1").first()
    assert score.late is True and score.missing is False

    before = await dump_tables()
    again = await run_import(write_set(tmp_path / "set", full_set_12()))
    assert not again.has_errors and await dump_tables() == before


async def test_1_2_delta_roles_row_tobedeleted_ends_a_school_enrollment(clean_database, tmp_path):
    assert not (await run_import(write_set(tmp_path / "one", full_set_12()))).has_errors
    roles = [full_set_12()["roles"][0],
             ["role-stu-ana-1", "tobedeleted", "", "stu-ana", "secondary", "student", "", "", "sch-oak", ""]]
    files = {"manifest": manifest("1.2", {"roles": "delta"}), "roles": roles}
    report = await run_import(write_set(tmp_path / "delta", files))
    assert not report.has_errors, messages(report)
    assert (await school_enrollments())[("stu-ana", "sch-oak")] == ("06", "inactive")
    assert (await person("stu-ana")).status == "active"


# ---- all or nothing ----

async def test_a_bad_row_changes_nothing_and_names_file_line_and_column(clean_database, tmp_path):
    assert not (await run_import(write_set(tmp_path / "one", full_set_11()))).has_errors
    before = await dump_tables()

    files = full_set_11()
    files["users"] = users_11([(*PEOPLE[0][:3], "Ana", "Renamed", *PEOPLE[0][5:]), *PEOPLE[1:]])
    files["enrollments"] = copy.deepcopy(ENROLLMENTS)
    files["enrollments"][3][8] = "2026-13-45"  # line 4: no such date
    files["enrollments"].append(["enr-9", "", "", "cls-none", "sch-oak", "stu-ana", "student", "", "", ""])
    report = await run_import(write_set(tmp_path / "bad", files))

    assert report.has_errors
    lines = messages(report)
    assert "ERROR: enrollments.csv, line 4, column beginDate: '2026-13-45' is not a date that exists: check the day " \
           "and month" in lines, lines
    # Problems found after the files were read (a class nobody knows) are reported too, with their line.
    assert any(line.startswith("ERROR: enrollments.csv, line 6, column classSourcedId") for line in lines), lines
    assert await dump_tables() == before
    assert (await person("stu-ana")).family_name == "Rivera"


async def test_every_problem_is_reported_not_just_the_first(clean_database, tmp_path):
    files = full_set_11()
    files["academicSessions"] = copy.deepcopy(files["academicSessions"])
    files["academicSessions"][1][4] = "quarter"  # type
    files["users"] = users_11([*PEOPLE, ("stu-dup", "student", "sch-oak", "Dee", "Dup", "1001", "", "", "06")])
    report = await run_import(write_set(tmp_path / "bad", files))
    lines = messages(report)
    assert any("academicSessions.csv, line 2, column type: 'quarter' is not one of" in line for line in lines)
    assert any("users.csv, line 9, column identifier: student number '1001' is also given to 'stu-ana' on line 2"
               in line for line in lines), lines
    assert await dump_tables() == {name: [] for name in (await dump_tables())}


async def test_missing_manifest_is_an_error(clean_database, tmp_path):
    files = full_set_11()
    del files["manifest"]
    report = await run_import(write_set(tmp_path / "set", files))
    assert report.has_errors
    assert any("manifest.csv" in line for line in messages(report))


# ---- what real exports look like ----

async def test_misspelled_headers_and_unknown_columns_are_warnings(clean_database, tmp_path):
    files = full_set_11()
    users = copy.deepcopy(files["users"])
    users[0] = ["sourceId" if c == "sourcedId" else "GivenName" if c == "givenName" else
                "agentSourceIds" if c == "agentSourcedIds" else c for c in users[0]] + ["favouriteColour",
                                                                                       "metadata.lunch"]
    for row in users[1:]:
        row += ["blue", "A"]
    files["users"] = users
    report = await run_import(write_set(tmp_path / "set", files))
    assert not report.has_errors, messages(report)
    lines = messages(report)
    assert any("users.csv, line 1, column 'sourceId': read as 'sourcedId'" in line for line in lines), lines
    assert any("users.csv, line 1, column 'GivenName': read as 'givenName'" in line for line in lines), lines
    assert any("column 'favouriteColour': Homeroom does not know this column" in line for line in lines), lines
    assert not any("metadata.lunch" in line for line in lines)
    assert (await person("stu-ana")).given_name == "Ana"
    assert ("par-rosa", "stu-ana") in await links()


@pytest.mark.parametrize("sample", ["v1p2-sample", "v1p1-minimal"])
async def test_the_published_sample_sets_import_with_clear_warnings(clean_database, sample):
    report = await run_import(SAMPLES / sample)
    assert not report.has_errors, messages(report)
    lines = messages(report)
    assert any("column password: has a password" in line for line in lines)
    if sample == "v1p1-minimal":
        assert any("orgs.csv, line 2, column type: org 'org-sch-222-456' has type 'department'" in line
                   for line in lines), lines
        assert any("classes.csv, line 2, column courseSourcedId: 'crs-222-2023-456-12345' is not in courses.csv"
                   in line for line in lines), lines
        assert (await person("usr-222-66778899")).kind == "student"
    else:
        bruce = await person("USER_0")
        assert (bruce.kind, str(bruce.birth_date)) == ("student", "2010-04-17")


async def test_both_sample_sets_one_after_the_other_then_again(clean_database):
    for sample in ("v1p2-sample", "v1p1-minimal"):
        assert not (await run_import(SAMPLES / sample)).has_errors
    before = await dump_tables()
    assert not (await run_import(SAMPLES / "v1p1-minimal")).has_errors
    assert await dump_tables() == before


# ---- the command line ----

def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, env=os.environ.copy(), timeout=120)


async def test_exit_codes_a_nightly_job_can_check(clean_database, tmp_path):
    good = run_cli("import", "oneroster", str(write_set(tmp_path / "good", full_set_11())))
    assert good.returncode == 0, good.stderr
    assert "WARNING" in good.stderr and "done" in good.stdout
    assert "writing people: 6 rows" in good.stderr  # plain progress lines when stderr is not a terminal

    files = full_set_11()
    files["demographics"] = [DEMOGRAPHICS[0], ["stu-ana", "", "", "02/30/2014", ""]]
    bad = run_cli("import", "oneroster", str(write_set(tmp_path / "bad", files)), "--report",
                  str(tmp_path / "problems.csv"))
    assert bad.returncode == 1
    assert "ERROR: demographics.csv, line 2, column birthDate" in bad.stderr
    assert "NOTHING WAS CHANGED" in bad.stderr
    assert '"demographics.csv","2","birthDate","error"' in (tmp_path / "problems.csv").read_text()

    assert run_cli("import", "oneroster", str(tmp_path / "nowhere")).returncode == 2
    assert run_cli("import", "oneroster").returncode == 2


# ---- from the file to the portal ----

async def test_a_guardian_from_the_file_gets_a_key_signs_in_and_sees_the_schedule(portal, tmp_path):
    from app.services.activation_keys import issue_key_for
    from tests.integration import leaks

    report = await run_import(write_set(tmp_path / "set", full_set_11()))
    assert not report.has_errors, messages(report)
    issued = await issue_key_for("par-rosa")
    leaks.remember_key(issued.key)
    assert issued.guardian_email == "rosa.rivera@example.org"

    rosa = await person("par-rosa")
    await make_account(rosa, "rosarivera")
    response = await portal.log_in("rosarivera", PASSWORD)
    assert response.status_code == 303

    ana = await person("stu-ana")
    schedule = await portal.get(f"/students/{ana.public_id}/schedule")
    assert schedule.status_code == 200
    text = re.sub(r"\s+", " ", schedule.text)
    assert "Math 6" in text and "Room 101" in text and "Lee" in text
    grades = await portal.get(f"/students/{ana.public_id}/grades")
    assert grades.status_code == 200

    # The relative is on file but is not a guardian: no key.
    from app.services.activation_keys import KeyRefused

    with pytest.raises(KeyRefused):
        await issue_key_for("rel-gran")
