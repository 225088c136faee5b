"""`homeroom import attendance` warns about events it imports that are probably wrong (a district IT lead's and
a clerk's find): a class the student is not enrolled in, a day that was no school day for them, and two lines
for the same student, day and class period with different categories. The events are imported as before, the
run ends as before (exit 0), and each warning names the line and the value, grouped as every import's are.

Maple (tests/integration/roster_files.py): Ana at Oak is in Math 6 (cls-math-1), Ben at Elm in Art
(cls-art-2); the suite's clock is Tuesday 10 March 2026, so Saturday 7 March is a weekend day of the term."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

from app.importers.outcome import DONE, finish
from tests.integration.district import PASSWORD, make_account
from tests.integration.roster_files import ENROLLMENTS, full_set_11, write_set
from tests.integration.test_import_attendance import events, roster, run, write_events

# A calendar as a district writes it in a spreadsheet: a teacher work day for everyone, a snow day at Elm only.
CALENDAR = ("\ufeffDate,School,Kind,Description\r\n"
            "3/5/2026,,Teacher Workday,Teacher work day\r\n"
            "03/04/2026 0:00,sch-elm,snow day,Elm closed (no heat)\r\n")

EVENT_HEADER = ["eventSourcedId", "studentSourcedId", "studentNumber", "schoolSourcedId", "date", "sectionSourcedId",
                "period", "category", "reason"]


async def import_calendar(tmp_path: Path) -> None:
    from app.importers.calendar import import_calendar as run_calendar

    path = tmp_path / "calendar.csv"
    path.write_text(CALENDAR, encoding="utf-8")
    assert not (report := await run_calendar(path)).has_errors, report.lines()


async def attendance_page(portal, student: str) -> str:
    from app.tables import Person

    rosa = await Person.objects().where(Person.source_id == "par-rosa").first()
    child = await Person.objects().where(Person.source_id == student).first()
    await make_account(rosa, "rosarivera")
    assert (await portal.log_in("rosarivera", PASSWORD)).status_code == 303
    page = await portal.get(f"/students/{child.public_id}/attendance")
    assert page.status_code == 200
    return page.text


def printed(report) -> tuple[int, str]:
    """What `homeroom import attendance` prints on standard error, and its exit code."""
    out, err = io.StringIO(), io.StringIO()
    code = finish(report, "Attendance import", out=out, err=err)
    return code, err.getvalue()


async def test_a_class_the_student_is_not_enrolled_in_is_imported_with_a_warning(clean_database, tmp_path):
    await roster(tmp_path)
    # Ana left Art: her enrollment in it is made inactive by the next bulk file, and stays in Homeroom.
    with_art = full_set_11() | {"enrollments": ENROLLMENTS + [["enr-5", "", "", "cls-art-2", "sch-elm", "stu-ana",
                                                               "student", "", "2025-08-20", ""]]}
    from app.importers.oneroster import import_oneroster

    assert not (await import_oneroster(write_set(tmp_path / "with-art", with_art))).has_errors
    assert not (await import_oneroster(write_set(tmp_path / "without-art", full_set_11()))).has_errors
    report = await run(write_events(tmp_path / "periods.csv", [
        ["stu-ana", "", "sch-oak", "3/6/2026", "cls-math-1", "1", "Tardy", ""],  # her class
        ["", "1002", "sch-elm", "3/6/2026", "cls-math-1", "1", "Unexcused Absence", ""],  # Ben is not in Math 6
        ["stu-ben", "", "sch-elm", "3/9/2026", "cls-math-1", "1", "tardy", ""],
        ["stu-ana", "", "sch-oak", "3/9/2026", "cls-art-2", "2", "tardy", ""],  # an ended enrollment is one
        ["stu-ben", "", "sch-elm", "3/9/2026", "", "", "present", ""],  # a daily event names no class
    ]))
    assert not report.has_errors
    assert report.lines() == [
        "WARNING: periods.csv, lines 3, 4, column sectionSourcedId: 'cls-math-1' is a class the line's student is "
        "not enrolled in (Homeroom has no enrollment of theirs in it, not even an ended one): the event is imported "
        "all the same"]
    assert len(await events()) == 5
    code, err = printed(report)
    assert code == DONE
    assert err.endswith("homeroom: Attendance import: 1 warning(s) above, on 2 line(s) of the file; the import went "
                        "ahead.\n"), err


async def test_a_day_that_was_no_school_day_is_imported_with_a_warning_that_says_it_is_not_counted(portal, tmp_path):
    await roster(tmp_path)
    await import_calendar(tmp_path)
    report = await run(write_events(tmp_path / "week.csv", [
        ["stu-ana", "", "sch-oak", "3/7/2026", "", "", "Unexcused Absence", ""],  # a Saturday
        ["stu-ben", "", "sch-elm", "03/07/2026", "", "", "In Attendance", ""],
        ["stu-ana", "", "sch-oak", "3/5/2026", "", "", "Excused Absence", "Dentist"],  # the district's work day
        ["stu-ben", "", "sch-elm", "3/4/2026", "", "", "Unexcused Absence", ""],  # Elm's snow day
        ["stu-ana", "", "sch-oak", "3/4/2026", "", "", "Unexcused Absence", ""],  # Oak was open
        ["stu-ana", "", "sch-oak", "3/8/2026", "cls-math-1", "1", "tardy", ""],  # a Sunday, a class period
        ["stu-ana", "", "sch-oak", "3/8/2026", "cls-math-1", "2", "present", ""],
    ]))
    assert not report.has_errors
    shown = "the event is imported, and the portal shows it but does not count it"
    assert report.lines() == [
        f"WARNING: week.csv, line 2, column date: '3/7/2026' was not a school day for the line's student "
        f"(a weekend day): {shown}",
        "WARNING: week.csv, line 3, column date: '03/07/2026' was not a school day for the line's student "
        "(a weekend day): is the date right? The event is imported, and the attendance page does not count this "
        "'present' among the school days recorded",
        f"WARNING: week.csv, line 4, column date: '3/5/2026' was not a school day for the line's student "
        f"(Teacher work day): {shown}",
        f"WARNING: week.csv, line 5, column date: '3/4/2026' was not a school day for the line's student "
        f"(Elm closed (no heat)): {shown}",
        f"WARNING: week.csv, line 7, column date: '3/8/2026' was not a school day for the line's student "
        f"(a weekend day): {shown}",
        "WARNING: week.csv, line 8, column date: '3/8/2026' was not a school day for the line's student "
        "(a weekend day): is the date right? The event is imported all the same",
    ], report.lines()
    assert len(await events()) == 7
    assert printed(report)[0] == DONE
    # What the warnings say is what the family sees: Ana's Saturday and work day shown, not counted.
    page = await attendance_page(portal, "stu-ana")
    assert "not counted (not a school day: a weekend day)" in page
    assert "not counted (not a school day: Teacher work day)" in page
    assert "(1 school days recorded)" in page  # the 4th only: Oak was open
    assert "Period 1, Math 6: Tardy" in page and "Period 2" not in page  # a class period's present is not shown


async def test_a_present_on_a_weekend_day_is_not_counted_by_the_attendance_page_as_the_warning_says(portal,
                                                                                                     tmp_path):
    """A whole-day present on a Saturday was counted among the school days recorded, unless the same day also had
    another category (an attacker's find: the warning said "counts" and was wrong for such a day)."""
    await roster(tmp_path)
    report = await run(write_events(tmp_path / "saturday.csv", [
        ["stu-ana", "", "sch-oak", "3/7/2026", "", "", "present", ""],
        ["stu-ana", "", "sch-oak", "3/14/2026", "", "", "present", ""],
        ["stu-ana", "", "sch-oak", "3/14/2026", "", "", "tardy", "bus"],
        ["stu-ana", "", "sch-oak", "3/9/2026", "", "", "present", ""]]))  # a Monday
    assert [line.split(": ", 2)[2] for line in report.lines()][:1] == [
        "'3/7/2026' was not a school day for the line's student (a weekend day): is the date right? The event is "
        "imported, and the attendance page does not count this 'present' among the school days recorded"]
    assert "(1 school days recorded)" in await attendance_page(portal, "stu-ana")  # the Monday only


async def test_the_same_student_day_and_period_with_two_categories_names_the_other_line(portal, tmp_path):
    await roster(tmp_path)
    rows = [
        ["", "stu-ana", "", "sch-oak", "3/2/2026", "", "", "Unexcused Absence", ""],
        ["", "stu-ana", "", "sch-oak", "3/2/2026", "", "", "Tardy", "Bus"],  # another slot: no conflict
        ["", "stu-ana", "", "sch-oak", "2026-03-02", "", "", "present", ""],  # the same event, later: kept
        ["", "stu-ana", "", "sch-oak", "3/3/2026", "cls-math-1", "1", "present", ""],
        ["", "stu-ana", "", "sch-oak", "3/3/2026", "cls-math-1", "2", "Unexcused Absence", ""],  # another period
        ["", "stu-ana", "", "sch-oak", "3/3/2026", "cls-math-1", "1", "unexcused", ""],
        ["sis-77", "stu-ben", "", "sch-elm", "3/3/2026", "", "", "Excused Absence", "Flu"],
        ["sis-78", "", "1002", "sch-elm", "3/3/2026", "", "", "In Attendance", ""],  # another SIS id: two events
        ["", "stu-ben", "", "sch-elm", "3/2/2026", "", "", "present", ""],
        ["", "stu-ben", "", "sch-elm", "3/2/2026", "", "", "present", ""],  # the same twice: nothing to say
        ["sis-80", "stu-ana", "", "sch-oak", "3/4/2026", "cls-math-1", "3", "present", ""],
        ["sis-81", "stu-ana", "", "sch-oak", "3/4/2026", "cls-math-1", "3", "Unexcused Absence", ""],
    ]
    report = await run(write_events(tmp_path / "conflicts.csv", rows, EVENT_HEADER))
    assert not report.has_errors
    assert report.lines() == [
        "WARNING: conflicts.csv, line 4, column category: says 'present' but line 2 says 'unexcused-absence' for the "
        "same student and day (whole day): the two lines are one event, so only this later line is kept",
        "WARNING: conflicts.csv, line 7, column category: says 'unexcused-absence' but line 5 says 'present' for the "
        "same student and day (class 'cls-math-1', period '1'): the two lines are one event, so only this later "
        "line is kept",
        "WARNING: conflicts.csv, line 9, column category: says 'present' but line 8 says 'excused-absence' for the "
        "same student and day (whole day): both are kept, as two events (the lines' eventSourcedId or school "
        "differ), so the attendance page counts the day as both 'excused-absence' and 'present'",
        "WARNING: conflicts.csv, line 13, column category: says 'unexcused-absence' but line 12 says 'present' for "
        "the same student and day (class 'cls-math-1', period '3'): both are kept, as two events (the lines' "
        "eventSourcedId or school differ), so the portal has two different records of this class period",
    ], report.lines()
    stored = {(r["student"], str(r["event_date"]), r["period"], r["category"]) for r in await events()}
    assert ("stu-ana", "2026-03-02", "", "present") in stored
    assert ("stu-ana", "2026-03-02", "", "unexcused-absence") not in stored
    assert ("stu-ana", "2026-03-03", "1", "unexcused-absence") in stored
    assert ("stu-ana", "2026-03-03", "1", "present") not in stored
    assert {("stu-ben", "2026-03-03", "", "excused-absence"), ("stu-ben", "2026-03-03", "", "present"),
            ("stu-ana", "2026-03-04", "3", "present"), ("stu-ana", "2026-03-04", "3", "unexcused-absence")} <= stored
    assert printed(report)[0] == DONE
    # As the third warning says: Ben's 3 March is counted both ways, 3 days of 2 school days recorded.
    page = await attendance_page(portal, "stu-ben")
    assert "(2 school days recorded)" in page  # the 2nd and the 3rd
    assert '<th scope="row">Present</th><td data-label="Total">2 days</td>' in page
    assert '<th scope="row">Excused absence</th><td data-label="Total">1 day</td>' in page


async def test_a_year_of_such_lines_prints_a_screenful(clean_database, tmp_path):
    """Every weekend day of the year so far, and a conflict on every school day of October: the first 12 days and
    lines are named one by one, the others grouped under one warning each ("and 30 more"); the report file
    (`--report`) has every line."""
    await roster(tmp_path)
    rows, day = [], date(2025, 9, 1)
    while day <= date(2026, 3, 8):
        if day.weekday() >= 5:
            rows.append(["stu-ana", "", "sch-oak", f"{day.month}/{day.day}/{day.year}", "", "", "Unexcused Absence", ""])
        elif day.month == 10:
            rows += [["stu-ben", "", "sch-elm", day.isoformat(), "", "", category, ""]
                     for category in ("Unexcused Absence", "present")]
        day += timedelta(days=1)
    weekend_lines = [n for n, row in enumerate(rows, start=2) if row[0] == "stu-ana"]
    conflict_lines = [n for n, row in enumerate(rows, start=2) if row[0] == "stu-ben" and row[6] == "present"]
    assert len(weekend_lines) == 54 and len(conflict_lines) == 23
    report = await run(write_events(tmp_path / "year.csv", rows))
    assert not report.has_errors
    lines = report.lines()
    assert len(lines) == 12 + 1 + 12 + 1, lines
    assert len([line for line in lines if "' was not a school day" in line]) == 12
    assert len([line for line in lines if "' but line " in line]) == 12
    assert "WARNING: year.csv, lines " + ", ".join(map(str, weekend_lines[12:24])) + " and 30 more, column date: the " \
           "date was a weekend day for the line's student, as on the days named above: the event is imported, and " \
           "the portal shows it but does not count it" in lines
    assert "WARNING: year.csv, lines " + ", ".join(map(str, conflict_lines[12:])) + ", column category: says " \
           "another category than an earlier line for the same student and day (the same class period, or whole " \
           "day), as the lines named above do: the two lines are one event, so only this later line is kept" in lines
    assert len(await events()) == 54 + 23
    out = io.StringIO()
    report.write_csv(out)
    assert out.getvalue().count("was not a school day") + out.getvalue().count("the date was a weekend day") == 54


async def test_closures_are_named_even_after_a_dozen_weekend_days(portal, tmp_path):
    """In a file in date order the first days named were all weekends, and the closures (a work day, a snow day:
    the rows that suggest the calendar or the SIS is wrong) were never named (a tester's find)."""
    await roster(tmp_path)
    await import_calendar(tmp_path)
    rows, day = [], date(2026, 1, 3)
    while day <= date(2026, 3, 6):
        if day.weekday() >= 5:
            rows.append(["stu-ana", "", "sch-oak", day.isoformat(), "", "", "Unexcused Absence", ""])
        day += timedelta(days=1)
    rows.append(["stu-ana", "", "sch-oak", "3/5/2026", "", "", "Excused Absence", "Dentist"])  # the work day
    report = await run(write_events(tmp_path / "winter.csv", rows))
    assert "'3/5/2026' was not a school day for the line's student (Teacher work day)" in "\n".join(report.lines())


async def test_a_long_file_not_in_date_order_says_which_lines_it_could_not_compare(clean_database, tmp_path,
                                                                                   monkeypatch):
    from app.importers import attendance_doubts

    monkeypatch.setattr(attendance_doubts, "HELD_EVENTS", 2)
    await roster(tmp_path)
    days = ["3/2/2026", "3/3/2026", "3/4/2026", "3/5/2026", "3/6/2026"]
    rows = [["stu-ana", "", "sch-oak", day, "", "", "present", ""] for day in days]
    rows.append(["stu-ana", "", "sch-oak", "3/6/2026", "", "", "unexcused", ""])  # the day still held: named
    report = await run(write_events(tmp_path / "sorted.csv", rows))
    assert [line.split(": ", 2)[1] for line in report.lines()] == ["sorted.csv, line 7, column category"]
    assert report.notes == []

    rows.append(["stu-ana", "", "sch-oak", "3/2/2026", "", "", "unexcused", ""])  # a day let go: not compared
    report = await run(write_events(tmp_path / "unsorted.csv", rows))
    assert [line.split(": ", 2)[1] for line in report.lines()] == ["unsorted.csv, line 7, column category"]
    assert report.notes == [
        "unsorted.csv: not every line was compared with the earlier lines of its day (to keep the import's memory "
        "bounded, at most 2 events, 1,000 days and 4,096 different periods are held; a file not in date order lets "
        "days go and reads them again), so two lines for the same event with different categories may not all be "
        "named above (sort the file by date to compare them all)"]


async def test_memory_stays_bounded_by_one_day_of_many_events_or_many_periods(clean_database, tmp_path,
                                                                              monkeypatch):
    """The day being read was always held whole, and every period ever read too: a file of one day with a
    million free-text periods took 1.2 GB (an attacker's find). Past the bounds, lines are imported, not compared,
    and the run says so."""
    from app.importers import attendance_doubts

    monkeypatch.setattr(attendance_doubts, "HELD_EVENTS", 3)
    monkeypatch.setattr(attendance_doubts, "MOST_PLACES", 4)
    await roster(tmp_path)
    rows = [["stu-ana", "", "sch-oak", "3/2/2026", "cls-math-1", str(period), "present", ""] for period in range(9)]
    report = await run(write_events(tmp_path / "periods.csv", rows))
    assert not report.has_errors and len(report.notes) == 1 and "not every line was compared" in report.notes[0]
    assert len(await events()) == 9  # every line imported all the same
    doubts = attendance_doubts.Doubts(report, "x.csv", {"present": "day"}, None, attendance_doubts.SchoolCalendar(),
                                      {})
    for period in range(9):
        doubts.check(period + 2, 1, date(2026, 3, 2), "3/2/2026", None, "", str(period), "present", f"e{period}")
    assert doubts._held_count <= 3 and len(doubts._places) <= 4 and not doubts.compared_all


async def test_a_day_in_no_school_year_is_named(portal, tmp_path):
    """A typo in the year, or an export of the wrong year, went in without a word (a tester's find)."""
    await roster(tmp_path)
    report = await run(write_events(tmp_path / "typo.csv", [
        ["stu-ana", "", "sch-oak", "3/5/2062", "", "", "Unexcused Absence", ""],
        ["stu-ana", "", "sch-oak", "3/4/2026", "", "", "Unexcused Absence", ""]]))
    assert not report.has_errors
    assert report.lines() == [
        "WARNING: typo.csv, line 2, column date: '3/5/2062' is in no school year Homeroom has from the SIS "
        "(08/01/2025 to 06/30/2026): is the year right? The event is imported all the same"]


async def test_a_run_refused_for_an_error_says_its_warnings_describe_a_run_without_errors(portal, tmp_path):
    """Every warning said "the event is imported" above "NOTHING WAS CHANGED" (a tester's find)."""
    await roster(tmp_path)
    report = await run(write_events(tmp_path / "both.csv", [
        ["stu-ana", "", "sch-oak", "3/7/2026", "", "", "Unexcused Absence", ""],  # a Saturday: a warning
        ["stu-nobody", "", "sch-oak", "3/4/2026", "", "", "Unexcused Absence", ""]]))  # an error
    assert report.has_errors
    out, err = io.StringIO(), io.StringIO()
    finish(report, "Attendance import", out=out, err=err)
    assert err.getvalue().rstrip().endswith("NOTHING WAS CHANGED. Fix what is named above and run the import again. "
                                            "The warnings above say what a run without errors would do with their "
                                            "lines."), err.getvalue()
    assert len(await events()) == 0
