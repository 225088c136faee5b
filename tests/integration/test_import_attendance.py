"""`homeroom import attendance` (issue 5): an Ed-Fi-shaped events CSV, idempotent, all or nothing, and the
events a parent then reads on the attendance page."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.integration.district import PASSWORD, make_account
from tests.integration.roster_files import dump_tables, full_set_11, write_set

HEADER = ["studentSourcedId", "studentNumber", "schoolSourcedId", "date", "sectionSourcedId", "period", "category",
          "reason"]


def write_events(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


async def roster(tmp_path: Path) -> None:
    from app.importers.oneroster import import_oneroster

    assert not (await import_oneroster(write_set(tmp_path / "roster", full_set_11()))).has_errors


async def run(path: Path):
    from app.importers.attendance import import_attendance

    return await import_attendance(path)


async def events() -> list[dict]:
    from app.tables import AttendanceEvent

    return await AttendanceEvent.select(
        AttendanceEvent.student.source_id.as_alias("student"), AttendanceEvent.school.source_id.as_alias("school"),
        AttendanceEvent.event_date, AttendanceEvent.section.source_id.as_alias("section"), AttendanceEvent.period,
        AttendanceEvent.category, AttendanceEvent.reason, AttendanceEvent.source_id,
    ).order_by(AttendanceEvent.event_date).order_by(AttendanceEvent.period)


DAY = [
    ["stu-ana", "", "sch-oak", "2026-03-09", "", "", "Unexcused Absence", ""],
    ["", "1002", "sch-elm", "2026-03-09", "", "", "In Attendance", ""],
    ["stu-ben", "1002", "sch-elm", "2026-03-09", "", "", "Tardy", "Bus late"],
    ["stu-ana", "", "sch-oak", "2026-03-06", "cls-math-1", "1", "tardy", ""],
    ["stu-ana", "", "sch-oak", "2026-03-05", "", "", "uri://ed-fi.org/AttendanceEventCategoryDescriptor#Early departure",
     "Dentist"],
]


async def test_events_are_imported_with_ed_fi_category_names(clean_database, tmp_path):
    await roster(tmp_path)
    report = await run(write_events(tmp_path / "att.csv", DAY))
    assert not report.has_errors, report.lines()
    rows = await events()
    assert [(r["student"], str(r["event_date"]), r["section"], r["period"], r["category"]) for r in rows] == [
        ("stu-ana", "2026-03-05", None, "", "early-departure"),
        ("stu-ana", "2026-03-06", "cls-math-1", "1", "tardy"),
        ("stu-ana", "2026-03-09", None, "", "unexcused-absence"),
        ("stu-ben", "2026-03-09", None, "", "present"),
        ("stu-ben", "2026-03-09", None, "", "tardy"),  # a tardy and a present on one day are two events
    ]
    assert report.counts["attendance events"] == 5


async def test_the_same_file_twice_changes_nothing_and_a_later_excuse_updates_the_event(clean_database, tmp_path,
                                                                                       clock):
    await roster(tmp_path)
    path = write_events(tmp_path / "att.csv", DAY)
    assert not (await run(path)).has_errors
    before = await dump_tables()
    clock.advance(days=1)
    again = await run(path)
    assert not again.has_errors and again.counts["attendance events"] == 0
    assert await dump_tables() == before

    excused = [["", "1001", "sch-oak", "2026-03-09", "", "", "Excused Absence", "Note from parent"]]
    assert not (await run(write_events(tmp_path / "excuse.csv", excused))).has_errors
    rows = [r for r in await events() if r["student"] == "stu-ana" and str(r["event_date"]) == "2026-03-09"]
    assert [(r["category"], r["reason"]) for r in rows] == [("excused-absence", "Note from parent")]
    assert rows[0]["source_id"] == before["attendance_event"][0]["source_id"]


async def test_a_day_as_a_us_spreadsheet_writes_it_is_read(clean_database, tmp_path):
    """As OneRoster files and the calendar are (an IT lead's find: `12/1/2026` was refused here only)."""
    await roster(tmp_path)
    rows = [["stu-ana", "", "sch-oak", "3/9/2026", "", "", "Unexcused Absence", ""],
            ["stu-ben", "", "sch-elm", "03/09/2026 0:00", "", "", "tardy", ""]]
    report = await run(write_events(tmp_path / "us.csv", rows))
    assert not report.has_errors, report.lines()
    assert {str(e["event_date"])[:10] for e in await events()} == {"2026-03-09"}


async def test_a_bad_line_changes_nothing_and_every_problem_is_named(clean_database, tmp_path):
    await roster(tmp_path)
    assert not (await run(write_events(tmp_path / "first.csv", DAY[:1]))).has_errors
    before = await dump_tables()
    bad = DAY + [
        ["stu-zed", "", "sch-oak", "2026-03-09", "", "", "present", ""],
        ["stu-ana", "", "sch-oak", "31/03/2026", "", "", "present", ""],  # day first: no month 31
        ["stu-ana", "", "sch-oak", "2026-03-10", "", "", "Partial", ""],
        ["stu-ana", "1002", "sch-oak", "2026-03-10", "", "", "present", ""],
    ]
    report = await run(write_events(tmp_path / "bad.csv", bad))
    lines = report.lines()
    assert report.has_errors
    assert "ERROR: bad.csv, line 7, column studentSourcedId: 'stu-zed' is not a student in Homeroom" in lines
    assert "ERROR: bad.csv, line 8, column date: '31/03/2026' is not a date that exists: check the day and month" \
        in lines, lines
    assert any(line.startswith("ERROR: bad.csv, line 9, column category: 'Partial' is not one of") for line in lines)
    assert any(line.startswith("ERROR: bad.csv, line 10, column studentNumber") for line in lines)
    assert await dump_tables() == before


async def test_ed_fi_column_names_are_accepted(clean_database, tmp_path):
    await roster(tmp_path)
    header = ["studentUniqueId", "schoolId", "eventDate", "attendanceEventCategoryDescriptor", "attendanceEventReason"]
    report = await run(write_events(tmp_path / "edfi.csv", [["1001", "sch-oak", "2026-03-02", "Excused Absence",
                                                               "Flu"]], header))
    assert not report.has_errors, report.lines()
    assert [(r["student"], r["category"], r["reason"]) for r in await events()] == [("stu-ana", "excused-absence",
                                                                                    "Flu")]


TESTERS_HEADER = ["Student Number", "School ID", "Event Date", "Class SourcedId", "Period", "Category", "Reason"]


@pytest.mark.parametrize("header", [
    TESTERS_HEADER,
    ["student_number", "school_id", "event_date", "class_sourced_id", "period", "category", "reason"],
    ["Student-Number", "SCHOOL ID", "Attendance Date", "class-sourced-id", "PERIOD", "category", "reason"],
], ids=["spaced", "snake_case", "mixed"])
async def test_every_name_of_a_column_is_matched_without_regard_to_case_spaces_dashes_or_underscores(
        clean_database, tmp_path, header):
    """An IT lead's find: --help promised header names matched "without regard to case, spaces, dashes or
    underscores", but a column's other names (eventDate, schoolId, classSourcedId) were matched only in another
    case: "Event Date" was ignored as unknown, then "column date: this required column is missing"."""
    await roster(tmp_path)
    report = await run(write_events(tmp_path / "sis.csv", [["1001", "sch-oak", "2026-03-06", "cls-math-1", "1", "Tardy",
                                                             "Bus late"]], header))
    assert not report.has_errors, report.lines()
    assert [(r["student"], r["school"], str(r["event_date"]), r["section"], r["period"], r["category"], r["reason"])
            for r in await events()] == [("stu-ana", "sch-oak", "2026-03-06", "cls-math-1", "1", "tardy", "Bus late")]
    lines = report.lines()
    assert not any("does not know" in line for line in lines), lines
    if header is TESTERS_HEADER:
        assert "WARNING: sis.csv, line 1, column 'Event Date': read as 'date' (the header is another spelling of " \
               "'eventDate', another name of that column)" in lines, lines


async def test_a_missing_required_column_names_the_ignored_header_that_looks_like_it(clean_database, tmp_path):
    report = await run(write_events(tmp_path / "sis.csv", [["1001", "sch-oak", "2026-03-06", "Tardy"]],
                                    ["Student Number", "School ID", "Event Day", "Category"]))
    assert "ERROR: sis.csv, line 1, column date: this required column is missing from the header (is 'Event Day' " \
           "it? name it date)" in report.lines(), report.lines()
    report = await run(write_events(tmp_path / "sis.csv", [["1001", "sch-oak", "Tardy", "x"]],
                                    ["Student Number", "School ID", "Category", "Comment"]))
    assert "ERROR: sis.csv, line 1, column date: this required column is missing from the header" in report.lines()


async def test_two_headers_that_are_names_of_one_column_are_an_error_unless_one_is_its_own_name(clean_database,
                                                                                              tmp_path):
    await roster(tmp_path)
    row = [["sch-oak", "2026-03-06", "2026-03-05", "1001", "Tardy"]]
    report = await run(write_events(tmp_path / "sis.csv", row, ["School ID", "eventDate", "Event Date",
                                                                "studentNumber", "category"]))
    assert "ERROR: sis.csv, line 1, column date: the columns 'eventDate' and 'Event Date' could each be 'date': " \
           "rename all but one, or name one exactly 'date'" in report.lines(), report.lines()
    assert await events() == []
    report = await run(write_events(tmp_path / "sis.csv", row, ["School ID", "date", "Event Date", "studentNumber",
                                                                "category"]))
    assert not report.has_errors, report.lines()
    assert "WARNING: sis.csv, line 1, column 'Event Date': could be 'date', but a column has that exact name and " \
           "is read; this one is ignored" in report.lines(), report.lines()
    assert [str(r["event_date"]) for r in await events()] == ["2026-03-06"]


async def test_a_parent_sees_the_imported_attendance(portal, tmp_path):
    from app.tables import Person

    await roster(tmp_path)
    assert not (await run(write_events(tmp_path / "att.csv", DAY))).has_errors
    rosa = await Person.objects().where(Person.source_id == "par-rosa").first()
    ana = await Person.objects().where(Person.source_id == "stu-ana").first()
    await make_account(rosa, "rosarivera")
    assert (await portal.log_in("rosarivera", PASSWORD)).status_code == 303
    page = await portal.get(f"/students/{ana.public_id}/attendance")
    assert page.status_code == 200
    assert "Dentist" in page.text


async def test_a_file_not_in_utf8_names_the_line_where_it_stops_being_utf8(clean_database, tmp_path):
    """A tester's find (issue 13): one Windows-1252 "é" on line 3 was reported as "line 1: the header line
    cannot be read", though the header is plain ASCII (the reader decodes a block at a time)."""
    await roster(tmp_path)
    path = tmp_path / "cp1252.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\r\nstu-ana,,sch-oak,2026-03-09,,,present,\r\n"
                     b"stu-ana,,sch-oak,2026-03-10,,,tardy,Caf\xe9\r\n")
    report = await run(path)
    assert report.lines() == ["ERROR: cp1252.csv, line 3: the text is not UTF-8 from here on: save the file as UTF-8 "
                              "CSV"], report.lines()
