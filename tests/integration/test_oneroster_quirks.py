"""What real OneRoster producers send (issue 10 item 1): a corpus of quirks, each imported on an empty
database with the warning that says what was done, then again with "no changes". Refused only: what cannot
be understood or would lose or corrupt data."""

from __future__ import annotations

import copy
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from tests.integration.roster_files import (
    CLASSES,
    ENROLLMENTS,
    PEOPLE,
    dump_tables,
    full_set_11,
    full_set_12,
    manifest,
    users_11,
    write_set,
)
from tests.integration.test_import_oneroster import SAMPLES, links, person, run_import

PROJECT_ROOT = Path(__file__).parents[2]


def lines_of(report) -> list[str]:
    return report.lines()


def has(report, *parts: str) -> bool:
    return any(all(p in line for p in parts) for line in lines_of(report))


async def import_twice(folder: Path):
    """The first run's report; the second run must change nothing at all."""
    first = await run_import(folder)
    assert not first.has_errors, lines_of(first)
    before = await dump_tables()
    second = await run_import(folder)
    assert not second.has_errors, lines_of(second)
    assert not any(second.counts.values()), second.counts
    assert await dump_tables() == before
    return first


def write_raw(folder: Path, name: str, rows: list[list[str]], *, bom: bool = False, newline: str = "\r\n",
              trailing: str = "") -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows(rows)
    (folder / name).write_bytes((("\ufeff" if bom else "") + out.getvalue() + trailing).encode("utf-8"))


# ---- the manifest ----

async def test_blank_manifest_values_mean_files_not_sent(clean_database, tmp_path):
    files = full_set_12()
    del files["categories"], files["lineItems"], files["results"]
    rows = manifest("1.2", {name: "bulk" for name in files if name != "manifest"})
    files["manifest"] = [[name, "" if value == "absent" else value] for name, value in rows]
    report = await import_twice(write_set(tmp_path / "set", files))
    assert has(report, "manifest.csv", "file.lineItems is empty; read as absent")
    assert (await person("par-rosa")).kind == "guardian"


async def test_a_blank_manifest_value_for_a_file_that_is_there_reads_it_as_delta(clean_database, tmp_path):
    files = full_set_11()
    files["manifest"] = [[n, "" if n == "file.demographics" else v] for n, v in files["manifest"]]
    report = await import_twice(write_set(tmp_path / "set", files))
    assert has(report, "file.demographics is empty, but demographics.csv is there: it is read as delta")
    assert str((await person("stu-ana")).birth_date) == "2014-05-02"


async def test_mis_cased_manifest_names_and_a_file_it_promises_but_lacks(clean_database, tmp_path):
    files = full_set_11()
    files["manifest"] = [[n.replace("file.", "File.").replace("oneroster.", "OneRoster."), v.capitalize()]
                         for n, v in files["manifest"]]
    del files["categories"]  # the manifest still says bulk
    report = await import_twice(write_set(tmp_path / "set", files))
    assert has(report, "categories.csv", "the manifest says file.categories is bulk, but there is no "
                                         "categories.csv: read as absent")
    assert (await person("stu-ana")).given_name == "Ana"


# ---- deleted rows that other files still name ----

async def test_enrollments_of_a_class_marked_tobedeleted_on_an_empty_database(clean_database, tmp_path):
    from app.tables import Section, SectionEnrollment

    files = full_set_11()
    files["classes"] = copy.deepcopy(CLASSES)
    files["classes"][2][1] = "tobedeleted"  # cls-art-2, line 3; enrollments 3 and 4 still name it
    report = await import_twice(write_set(tmp_path / "set", files))
    assert has(report, "WARNING: enrollments.csv, lines 4, 5, column classSourcedId: the class 'cls-art-2' is "
                       "marked tobedeleted in classes.csv (line 3); this enrollment is not imported"), lines_of(report)
    assert not has(report, "is not in classes.csv")
    assert {s["source_id"] for s in await Section.select(Section.source_id)} == {"cls-math-1"}
    assert {e["source_id"] for e in await SectionEnrollment.select(SectionEnrollment.source_id)} == {"enr-1",
                                                                                                      "enr-2"}


async def test_a_class_deleted_later_ends_its_enrollments_and_the_next_run_reports_no_changes(clean_database,
                                                                                              tmp_path):
    from app.tables import Section, SectionEnrollment

    assert not (await run_import(write_set(tmp_path / "one", full_set_11()))).has_errors
    files = full_set_11()
    files["classes"] = copy.deepcopy(CLASSES)
    files["classes"][2][1] = "tobedeleted"
    report = await import_twice(write_set(tmp_path / "two", files))
    assert has(report, "the class 'cls-art-2' is marked tobedeleted in classes.csv (line 3); this enrollment is "
                       "not imported and Homeroom's copy is made inactive")
    assert report.counts["classes made inactive"] == 1
    assert report.counts["class enrollments made inactive"] == 2
    art = await Section.objects().where(Section.source_id == "cls-art-2").first()
    assert art.status == "inactive"
    statuses = {e["source_id"]: e["status"] for e in await SectionEnrollment.select()}
    assert statuses == {"enr-1": "active", "enr-2": "active", "enr-3": "inactive", "enr-4": "inactive"}


async def test_a_user_marked_tobedeleted_but_still_enrolled_and_named_as_a_guardian(clean_database, tmp_path):
    files = full_set_11()
    files["users"] = users_11()
    files["users"][3][1] = "tobedeleted"  # par-rosa, line 4
    report = await import_twice(write_set(tmp_path / "set", files))
    assert has(report, "users.csv", "column agentSourcedIds: 'par-rosa' is marked tobedeleted in users.csv "
                                    "(line 4); no link is made to them"), lines_of(report)
    assert await person("par-rosa") is None
    assert ("rel-gran", "stu-ana") in await links()


# ---- users ----

async def test_a_user_with_several_roles(clean_database, tmp_path):
    files = full_set_11()
    users = users_11()
    lee = next(row for row in users if row[0] == "tch-lee")
    users.append([*lee[:5], "parent", *lee[6:15], "stu-ben", *lee[16:]])  # Mr Lee again, as Ben's parent
    files["users"] = users
    report = await import_twice(write_set(tmp_path / "set", files))
    assert has(report, "users.csv, line 9, column sourcedId: the user appears again (first on line 7) with another "
                       "role; both rows' roles, orgs and agents are kept"), lines_of(report)
    assert has(report, "user 'tch-lee' has the roles guardian, teacher; Homeroom keeps them as a guardian")
    assert (await person("tch-lee")).kind == "guardian"
    assert ("tch-lee", "stu-ben") in await links()


async def test_a_grade_level_is_kept_whole_and_one_too_long_to_be_a_grade_is_left_out(clean_database, tmp_path):
    """It was cut to 8 characters: "Kindergarten" showed as "Kinderga" (issue 13, a tester's find)."""
    from app.i18n import grade_in_words
    from app.tables import SchoolEnrollment

    long_descriptor = "uri://www.cde.ca.gov/GradeLevelDescriptor#Transitional Kindergarten"  # 67: its code value kept
    nonsense = "Grade " + "9" * 70
    people = [(sid, role, orgs, given, family, identifier, email, agents,
               {"stu-ana": "Kindergarten", "stu-ben": long_descriptor}.get(sid, grades))
              for sid, role, orgs, given, family, identifier, email, agents, grades in PEOPLE]
    people.append(("stu-cy", "student", "sch-elm", "Cy", "Rivera", "1003", "", "par-rosa", nonsense))
    files = full_set_11()
    files["users"] = users_11(people)
    report = await import_twice(write_set(tmp_path / "set", files))
    rows = await SchoolEnrollment.select(SchoolEnrollment.student.source_id.as_alias("s"), SchoolEnrollment.grade)
    grades = {row["s"]: row["grade"] for row in rows}
    assert grades["stu-ana"] == "Kindergarten" and grades["stu-ben"] == "Transitional Kindergarten", grades
    assert grade_in_words(grades["stu-ana"]) == "Kindergarten"
    assert grade_in_words(grades["stu-ben"]) == "Transitional kindergarten"
    assert grades["stu-cy"] == "", grades
    assert has(report, "users.csv, line 9, column grades: is 76 characters long, longer than a grade level can be "
                       "(64); the grade level Homeroom has is kept"), lines_of(report)
    # A grade that cannot be read later keeps the one on file (an attacker's find: it was wiped).
    files["users"] = users_11([(*p[:8], nonsense) if p[0] == "stu-ana" else p for p in people])
    assert not (await run_import(write_set(tmp_path / "later", files))).has_errors
    rows = await SchoolEnrollment.select(SchoolEnrollment.student.source_id.as_alias("s"), SchoolEnrollment.grade)
    assert {row["s"]: row["grade"] for row in rows}["stu-ana"] == "Kindergarten"
    # Nor does a file without the grades column, nor a descriptor with nothing after its '#' (wiped before).
    users = users_11([(*p[:8], "uri://ed-fi.org/GradeLevelDescriptor#") if p[0] == "stu-ben" else p for p in people])
    at = users[0].index("grades")
    files["users"] = [row[:at] + row[at + 1:] for row in users]
    report = await run_import(write_set(tmp_path / "latest", files))
    rows = await SchoolEnrollment.select(SchoolEnrollment.student.source_id.as_alias("s"), SchoolEnrollment.grade)
    assert {row["s"]: row["grade"] for row in rows}["stu-ana"] == "Kindergarten", lines_of(report)
    files["users"] = users
    report = await run_import(write_set(tmp_path / "last", files))
    rows = await SchoolEnrollment.select(SchoolEnrollment.student.source_id.as_alias("s"), SchoolEnrollment.grade)
    assert {row["s"]: row["grade"] for row in rows}["stu-ben"] == "Transitional Kindergarten"
    assert has(report, "no code value after '#'"), lines_of(report)


async def test_direction_changing_characters_are_taken_out_of_what_a_sis_sends(clean_database, tmp_path):
    """A tester's find (issue 13): a right-to-left override in a course's title turned the words after it
    around wherever the title was shown alone (a staff search, a select's option). Taken out at the door."""
    from app.tables import Course, Section

    files = full_set_11()
    files["courses"] = [row[:] for row in files["courses"]]
    files["courses"][1][4] = "\u202eMath 6"
    files["classes"] = [row[:] for row in files["classes"]]
    files["classes"][1][8] = "Room \u2067101"
    report = await import_twice(write_set(tmp_path / "set", files))
    assert (await Course.select(Course.title).where(Course.source_id == "crs-math6").first())["title"] == "Math 6"
    assert (await Section.select(Section.room).where(Section.source_id == "cls-math-1").first())["room"] == "Room 101"
    assert has(report, "courses.csv, line 2, column title: ", "change the direction of text"), lines_of(report)
    assert has(report, "classes.csv, line 2, column location: ", "they are removed"), lines_of(report)


async def test_line_breaks_and_control_characters_in_a_value_are_read_as_spaces(clean_database, tmp_path):
    """An attacker's find (issue 13): a course title with line breaks put a paragraph of its own ("this absence
    has been excused") into the text of the absence alert; a NUL was an unexpected error on PostgreSQL."""
    from app.tables import Course

    files = full_set_11()
    files["courses"] = [row[:] for row in files["courses"]]
    files["courses"][1][4] = "Math 6\r\nUPDATE from the school: excused.\r\n"
    files["users"] = [row[:] for row in files["users"]]
    files["users"][1][8] = "A\x00na\x1b[31m"
    files["users"][2][8] = "Be\tn"  # a tab: a keyboard's slip
    files["users"][2][9] = "Rive\u0301ra"  # decomposed (e + U+0301): stored composed, as a search box sends it
    report = await import_twice(write_set(tmp_path / "set", files))
    title = (await Course.select(Course.title).where(Course.source_id == "crs-math6").first())["title"]
    assert title == "Math 6 UPDATE from the school: excused." and "\n" not in title  # a CRLF is one space
    assert (await person("stu-ana")).given_name == "A na [31m"
    ben = await person("stu-ben")
    assert (ben.given_name, ben.family_name) == ("Be n", "Rivéra")
    assert has(report, "courses.csv, line 2", "each is read as a space"), lines_of(report)


async def test_several_roles_in_one_cell_and_a_user_without_a_role(clean_database, tmp_path):
    people = [*PEOPLE, ("stu-zed", "", "sch-oak", "Zed", "Nobody", "1009", "", "", "06")]
    people[5] = (*people[5][:1], "teacher,parent", *people[5][2:])
    files = full_set_11()
    files["users"] = users_11(people)
    files["enrollments"] = [*ENROLLMENTS, ["enr-z", "", "", "cls-math-1", "sch-oak", "stu-zed", "student", "", "",
                                           ""]]
    report = await import_twice(write_set(tmp_path / "set", files))
    assert has(report, "users.csv, line 7, column role: holds several roles; each is read")
    assert has(report, "user 'stu-zed' has no role", "they are not imported")
    assert has(report, "enrollments.csv, line 6, column userSourcedId: the user 'stu-zed' was not imported (see "
                       "users.csv, line 9); this enrollment is not imported"), lines_of(report)
    assert await person("stu-zed") is None


async def test_the_same_row_twice_is_read_once_but_two_different_rows_are_refused(clean_database, tmp_path):
    files = full_set_11()
    files["classes"] = [*CLASSES, CLASSES[1]]
    report = await import_twice(write_set(tmp_path / "same", files))
    assert has(report, "classes.csv, line 4, column sourcedId: the same row appears again (first on line 2)")

    files["classes"] = [*CLASSES, [*CLASSES[1][:3], "Another title", *CLASSES[1][4:]]]
    report = await run_import(write_set(tmp_path / "other", files))
    assert report.has_errors
    assert has(report, "ERROR: classes.csv, line 4, column sourcedId: 'cls-math-1' appears again (first on line 2) "
                       "with other values in title")


# ---- how the files are written ----

async def test_mis_cased_file_names_and_headers_bom_crlf_and_empty_trailing_rows(clean_database, tmp_path):
    folder = tmp_path / "set"
    folder.mkdir()
    files = full_set_11()
    for name, rows in files.items():
        rows = copy.deepcopy(rows)
        if name == "users":
            rows[0] = [c.upper() if c in ("givenName", "familyName") else c for c in rows[0]]
            rows[0][0] = "SourcedId"
        file_name = {"users": "Users.csv", "enrollments": "ENROLLMENTS.CSV"}.get(name, f"{name}.csv")
        write_raw(folder, file_name, rows, bom=True, newline="\r\n",
                  trailing=",,,,\r\n\r\n" if name in ("users", "classes") else "\r\n")
    report = await import_twice(folder)
    assert has(report, "Users.csv", "the file name should be users.csv")
    assert has(report, "Users.csv, line 1, column 'GIVENNAME': read as 'givenName'")
    assert has(report, "Users.csv, line 1, column 'SourcedId': read as 'sourcedId'")
    assert not has(report, "sourcedId: is empty")  # the trailing ",,,," lines are not rows
    ana = await person("stu-ana")
    assert (ana.given_name, ana.family_name) == ("Ana", "Rivera")


async def test_dates_as_spreadsheets_write_them(clean_database, tmp_path):
    from app.tables import SectionEnrollment

    files = full_set_11()
    files["enrollments"] = copy.deepcopy(ENROLLMENTS)
    files["enrollments"][2][8] = "8/10/2026 0:00"
    files["enrollments"][2][9] = "8/25/2026"
    files["enrollments"][3][8] = "2026-08-10 00:00:00"
    files["enrollments"][3][9] = "6/30/2027 12:00:00 AM"
    files["enrollments"][4][8] = "2026-08-10T00:00:00.000Z"
    report = await import_twice(write_set(tmp_path / "set", files))
    assert has(report, "enrollments.csv, lines 3, 4, 5, column beginDate: the date is not written as YYYY-MM-DD")
    dates = {e["source_id"]: (str(e["begin_date"]), str(e["end_date"])) for e in await SectionEnrollment.select()}
    assert dates["enr-2"] == ("2026-08-10", "2026-08-25")
    assert dates["enr-3"] == ("2026-08-10", "2027-06-30")
    assert dates["enr-4"][0] == "2026-08-10"

    files["enrollments"][2][8] = "2/30/2026 0:00"
    report = await run_import(write_set(tmp_path / "bad", files))
    assert has(report, "ERROR: enrollments.csv, line 3, column beginDate: '2/30/2026 0:00' is not a date that "
                       "exists")


# ---- the public sample sets, as a new district would run them ----

def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, env=os.environ.copy(), timeout=120)


async def test_both_public_sample_sets_import_with_exit_0_then_report_no_changes(clean_database):
    for sample in ("v1p1-minimal", "v1p2-sample"):
        first = run_cli("import", "oneroster", str(SAMPLES / sample))
        assert first.returncode == 0, first.stderr
        assert "Rows written" in first.stdout
        again = run_cli("import", "oneroster", str(SAMPLES / sample))
        assert again.returncode == 0, again.stderr
        assert "Nothing changed" in again.stdout, again.stdout


async def test_a_score_or_a_link_naming_a_staff_user_is_skipped_with_a_true_message(clean_database, tmp_path):
    from tests.integration.roster_files import RESULTS_11

    files = full_set_11()
    files["results"] = [*RESULTS_11, ["res-9", "", "", "li-1", "adm-kay", "fully graded", "3", "", ""]]
    people = [*PEOPLE]
    people[1] = (*people[1][:7], "par-rosa,adm-kay", *people[1][8:])  # Ben names the administrator
    files["users"] = users_11(people)
    report = await import_twice(write_set(tmp_path / "set", files))
    assert has(report, "results.csv, line 3, column studentSourcedId: the user has a staff role Homeroom does not "
                       "keep; the score is skipped")
    assert has(report, "users.csv, line 3, column agentSourcedIds: 'adm-kay' is a staff member, not a parent or "
                       "guardian; no link is made")
