"""Impossible dates (issue 10 item 1, an outside tester's `dateLastModified` 2026-02-30 was taken): every
date an import reads either refuses with a located, true message (file, line or array index, column or
field, the value) when the value matters to data, or — dateLastModified and _lastModifiedDate, which only
inform — is ignored with a WARNING that says so. OneRoster, Ed-Fi and the attendance CSV."""

from __future__ import annotations

import copy

from tests.integration.edfi_files import CONTACTS, SCHOOL_EVENTS, full_set, write_edfi
from tests.integration.roster_files import CLASSES, ENROLLMENTS, SESSIONS, dump_tables, full_set_11, users_11, \
    write_set
from tests.integration.test_import_attendance import write_events
from tests.integration.test_import_attendance import run as run_attendance
from tests.integration.test_import_edfi import everything, roster
from tests.integration.test_import_edfi import run as run_edfi
from tests.integration.test_oneroster_quirks import has, import_twice, run_import

NOT_A_DAY = "is not a date that exists: check the day and month"


async def test_oneroster_dates_that_do_not_exist_are_refused_where_they_are(clean_database, tmp_path):
    for file, rows, line, column, value in (
            ("enrollments", ENROLLMENTS, 3, 8, "2026-02-30"),
            ("enrollments", ENROLLMENTS, 3, 9, "2/30/2026 0:00"),
            ("enrollments", ENROLLMENTS, 3, 8, "2026-02-30T00:00:00Z"),
            ("academicSessions", SESSIONS, 2, 5, "2026-13-01"),
            ("academicSessions", SESSIONS, 2, 6, "2026-04-31")):
        files = full_set_11()
        files[file] = copy.deepcopy(rows)
        files[file][line - 1][column] = value
        header = files[file][0][column]
        report = await run_import(write_set(tmp_path / f"{file}-{column}-{len(value)}", files))
        assert has(report, f"ERROR: {file}.csv, line {line}, column {header}: '{value}' {NOT_A_DAY}"), report.lines()
        assert not any((await dump_tables()).values())  # nothing at all was written


async def test_a_value_that_is_no_date_at_all_says_that_instead(clean_database, tmp_path):
    files = full_set_11()
    files["enrollments"] = copy.deepcopy(ENROLLMENTS)
    files["enrollments"][2][8] = "next Monday"
    report = await run_import(write_set(tmp_path / "set", files))
    assert has(report, "ERROR: enrollments.csv, line 3, column beginDate: 'next Monday' is not a date: write it as "
                       "YYYY-MM-DD (8/25/2016 and date-times are read too)")


async def test_an_impossible_date_last_modified_is_ignored_with_a_warning_that_says_so(clean_database, tmp_path):
    files = full_set_11()
    users = users_11()
    users[3][2] = "2026-02-30T10:00:00Z"  # Rosa
    users[4][2] = "yesterday"
    files["users"] = users
    files["classes"] = copy.deepcopy(CLASSES)
    files["classes"][1][2] = "2026-02-30"
    report = await import_twice(write_set(tmp_path / "set", files))
    assert has(report, "WARNING: users.csv, line 4, column dateLastModified: '2026-02-30T10:00:00Z' is not a date "
                       "that exists: check the day and month; it is ignored (it only tells which of the SIS's "
                       "value and a parent's confirmed change is newer)"), report.lines()
    assert has(report, "users.csv, line 5, column dateLastModified: 'yesterday' is not a date-time")
    assert has(report, "WARNING: classes.csv, line 2, column dateLastModified: '2026-02-30' " + NOT_A_DAY)


async def test_ed_fi_dates_that_do_not_exist_are_refused_and_a_bad_last_modified_is_ignored(clean_database,
                                                                                           tmp_path):
    await roster(tmp_path)
    before = await everything()
    resources = copy.deepcopy(full_set())
    resources["studentSchoolAttendanceEvents"] = copy.deepcopy(SCHOOL_EVENTS)
    resources["studentSchoolAttendanceEvents"][1]["eventDate"] = "2026-02-30"
    resources["studentSchoolAttendanceEvents"][2]["eventDate"] = "03/09/2026"
    resources["gradingPeriods"][0]["endDate"] = "2026-03-32"
    report = await run_edfi(write_edfi(tmp_path / "bad", resources))
    lines = report.lines()
    assert "ERROR: studentSchoolAttendanceEvents.json, array index 1, field eventDate: '2026-02-30' " + NOT_A_DAY \
        in lines, lines
    assert "ERROR: studentSchoolAttendanceEvents.json, array index 2, field eventDate: '03/09/2026' is not a date: " \
           "Ed-Fi dates are YYYY-MM-DD" in lines, lines
    assert "ERROR: gradingPeriods.json, array index 0, field endDate: '2026-03-32' " + NOT_A_DAY in lines, lines
    assert await everything() == before

    resources = copy.deepcopy(full_set())
    resources["contacts"] = copy.deepcopy(CONTACTS)
    resources["contacts"][0]["_lastModifiedDate"] = "2026-02-30T14:12:36.0393213Z"
    resources["contacts"][1]["_lastModifiedDate"] = 20260302
    report = await run_edfi(write_edfi(tmp_path / "edfi", resources))
    assert not report.has_errors, report.lines()
    assert "WARNING: contacts.json, array index 0, field _lastModifiedDate: '2026-02-30T14:12:36.0393213Z' " \
           f"{NOT_A_DAY}; it is ignored (it only tells which of the SIS's value and a parent's confirmed change is " \
           "newer)" in report.lines(), report.lines()
    assert any("array index 1, field _lastModifiedDate: is not a date-time" in line for line in report.lines())


async def test_attendance_csv_dates(clean_database, tmp_path):
    from tests.integration.test_import_attendance import roster as attendance_roster

    await attendance_roster(tmp_path)
    report = await run_attendance(write_events(tmp_path / "a.csv", [
        ["stu-ana", "", "sch-oak", "2026-02-30", "", "", "Tardy", ""],
        ["stu-ana", "", "sch-oak", "2026-02-03T00:00:00", "", "", "Tardy", ""],
        ["stu-ana", "", "sch-oak", "2026-03-03", "", "", "Tardy", ""]]))
    # A date-time is read as its day, as OneRoster and the calendar read it; a day that does not exist is not.
    assert report.lines() == [f"ERROR: a.csv, line 2, column date: '2026-02-30' {NOT_A_DAY}"], report.lines()
