"""The school calendar (issue 12): `homeroom import calendar FILE` and Ed-Fi `calendarDates` say which days are
not school days; the weekly digest's share of school days, the chronic-absence figure and the SIS export of
absence reports count school days with them."""

from __future__ import annotations

import copy
import io
import re
from datetime import date
from pathlib import Path

from tests.integration.edfi_files import d, full_set, meta, write_edfi
from tests.integration.test_import_edfi import every_resource, roster, run, run_api
from tests.integration.test_records import school_year  # noqa: F401


async def import_csv(path: Path):
    from app.importers.calendar import import_calendar

    return await import_calendar(path)


async def stored() -> set[tuple]:
    from app.tables import CalendarDate

    return {(r["school"], str(r["day"]), r["school_day"], r["kind"], r["description"]) for r in await CalendarDate.select(
        CalendarDate.school.source_id.as_alias("school"), CalendarDate.day, CalendarDate.school_day, CalendarDate.kind,
        CalendarDate.description)}


MESSY = ("\ufeffDATE,School,Kind,description\r\n"
         "2025-09-01,,Holiday,Labor Day\r\n"
         "11/26/2025,,break,Thanksgiving break\r\n"
         "11/27/2025 0:00,,break,Thanksgiving break\r\n"
         "2026-01-15,sch-oak,snow day,\r\n"
         "2026-01-31,sch-oak,Make-up day,Make-up for the snow day\r\n"
         "2026-02-16,,Presidents Day,\r\n"
         ",,,\r\n,,,\r\n\r\n")


async def test_a_messy_csv_is_read_and_a_second_run_changes_nothing(clean_database, tmp_path):
    from tests.integration.district import build_district

    await build_district()
    path = tmp_path / "calendar.csv"
    path.write_text(MESSY, encoding="utf-8")
    report = await import_csv(path)
    assert not report.has_errors, report.lines()
    assert await stored() == {
        (None, "2025-09-01", False, "holiday", "Labor Day"),
        (None, "2025-11-26", False, "break", "Thanksgiving break"),
        (None, "2025-11-27", False, "break", "Thanksgiving break"),
        ("sch-oak", "2026-01-15", False, "weather", ""),
        ("sch-oak", "2026-01-31", True, "make-up", "Make-up for the snow day"),
        (None, "2026-02-16", False, "closed", "Presidents Day"),
    }
    text = "\n".join(report.lines())
    assert "WARNING: calendar.csv, line 7, column kind: 'Presidents Day' is not a kind Homeroom knows" in text
    assert "column 'DATE': read as 'date'" in text
    again = await import_csv(path)
    assert again.counts["calendar days"] == 0
    # A later file takes a closure back with a school-day line for the same day and school.
    path.write_text("date,school,kind\n2026-01-15,sch-oak,school day\n", encoding="utf-8")
    assert (await import_csv(path)).counts["calendar days"] == 1
    assert ("sch-oak", "2026-01-15", True, "school-day", "") in await stored()


async def test_a_shortened_day_stays_a_school_day_and_a_guess_is_said(clean_database, tmp_path):
    """An attacker's and a tester's finds (issue 13): "Early Dismissal Day", "Late Start Monday" were unknown
    kinds, read as closed, which took the day's absences out of every count and alert."""
    from tests.integration.district import build_district

    await build_district()
    path = tmp_path / "calendar.csv"
    path.write_text("date,school,kind,description\n2026-03-02,,Early release,\n2026-03-09,,Late Start Monday,\n"
                    "2026-03-13,,Snow day,\n", encoding="utf-8")
    report = await import_csv(path)
    assert not report.has_errors, report.lines()
    assert {(day, school_day) for _, day, school_day, _, _ in await stored()} == {
        ("2026-03-02", True), ("2026-03-09", True), ("2026-03-13", False)}
    assert report.lines() == ["WARNING: calendar.csv, line 3, column kind: 'Late Start Monday' is read as "
                              "late-arrival (a school day)"], report.lines()


async def test_bad_lines_are_located_errors_and_nothing_changes(clean_database, tmp_path):
    from tests.integration.district import build_district

    await build_district()
    path = tmp_path / "calendar.csv"
    path.write_text("date,school,kind,description\n2025-09-01,,holiday,Labor Day\n2025-02-30,,holiday,\n"
                    "tomorrow,,holiday,\n2025-10-13,sch-nowhere,holiday,\n", encoding="utf-8")
    report = await import_csv(path)
    text = "\n".join(report.lines())
    assert "ERROR: calendar.csv, line 3, column date: '2025-02-30' is not a date" in text
    assert "ERROR: calendar.csv, line 4, column date: 'tomorrow' is not a date" in text
    assert "ERROR: calendar.csv, line 5, column school: 'sch-nowhere' is not a school in Homeroom" in text
    assert await stored() == set()


def test_the_command_exit_codes(tmp_path, migrated_database, capsys):
    from app.cli import main

    assert main(["import", "calendar", str(tmp_path / "missing.csv")]) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("when,kind\n2025-09-01,holiday\n", encoding="utf-8")
    assert main(["import", "calendar", str(bad)]) == 1
    assert "date: this required column is missing" in capsys.readouterr().err


def calendar_date(school: str, day: str, *events: str, code: str = "2025-2026 Calendar") -> dict:
    return meta({"calendarReference": {"calendarCode": code, "schoolId": school, "schoolYear": 2026}, "date": day,
                 "calendarEvents": [{"calendarEventDescriptor": d("CalendarEvent", e)} for e in events]})


CALENDAR_DATES = [
    calendar_date("sch-oak", "2026-01-19", "Holiday"),
    calendar_date("sch-oak", "2026-01-20", "Instructional day"),
    calendar_date("sch-oak", "2026-02-13", "Teacher only day"),
    calendar_date("sch-oak", "2026-02-13", "Instructional day", code="Grades 6-8"),  # another calendar: open
    calendar_date("sch-elm", "2026-01-31", "Make-up day"),
    calendar_date("sch-elm", "2026-02-02", "Weather day", "Student late arrival/early dismissal"),
    calendar_date("sch-elm", "2026-02-03", "Other"),
    calendar_date(255901001, "2026-01-19", "Holiday"),
]


async def test_ed_fi_calendar_dates(clean_database, tmp_path):
    await roster(tmp_path)
    report = await run(write_edfi(tmp_path / "edfi", full_set() | {"calendarDates": CALENDAR_DATES}))
    assert not report.has_errors, report.lines()
    assert await stored() == {
        ("sch-oak", "2026-01-19", False, "holiday", ""), ("sch-oak", "2026-01-20", True, "school-day", ""),
        ("sch-oak", "2026-02-13", True, "school-day", ""), ("sch-elm", "2026-01-31", True, "make-up", ""),
        ("sch-elm", "2026-02-02", True, "late-arrival", "")}
    text = "\n".join(report.lines())
    assert ("WARNING: calendarDates.json, array index 6, field calendarEvents: 'Other' is not one of Ed-Fi's "
            "calendar events") in text
    assert "WARNING: calendarDates.json, array index 7, field calendarReference.schoolId: is not a school" in text
    again = await run(write_edfi(tmp_path / "edfi", full_set() | {"calendarDates": CALENDAR_DATES}))
    assert {k: v for k, v in again.counts.items() if v} == {}


async def test_a_calendar_date_that_breaks_the_model_is_an_error_and_nothing_changes(clean_database, tmp_path):
    await roster(tmp_path)
    no_events = copy.deepcopy(CALENDAR_DATES[0])
    no_events["calendarEvents"] = []
    bad_date = dict(CALENDAR_DATES[1], date="01/20/2026")
    report = await run(write_edfi(tmp_path / "edfi", {"calendarDates": [no_events, bad_date, CALENDAR_DATES[2]]}))
    text = "\n".join(report.lines())
    assert "ERROR: calendarDates.json, array index 0, field calendarEvents: is missing or empty" in text
    assert "ERROR: calendarDates.json, array index 1, field date: '01/20/2026' is not a date" in text
    assert await stored() == set()


async def test_an_api_key_that_may_not_read_calendar_dates_is_a_warning(clean_database, tmp_path):
    from tests.integration.edfi_server import EdfiServer

    await roster(tmp_path)
    resources = every_resource(full_set())
    del resources["calendarDates"]  # the ODS/API answers 404
    with EdfiServer(resources) as server:
        report = await run_api(server)
    assert not report.has_errors, report.lines()
    assert report.counts["attendance events"] == 5
    assert any("WARNING: calendarDates page 1 (offset 0): the ODS/API answered 404" in line for line in report.lines())
    with EdfiServer(every_resource(full_set() | {"calendarDates": CALENDAR_DATES[:3]})) as server:
        assert not (await run_api(server)).has_errors
    assert len(await stored()) == 3


async def test_the_digest_counts_school_days_with_the_closures_of_each_childs_school(district, mailbox, deliver,
                                                                                   clock, tmp_path):
    """Ana (Maple) and Benito (Oak): the district's Thanksgiving break, and two snow days at Oak only; an
    absence recorded on a closure day is not counted either."""
    from tests.integration.test_digests import FRIDAY_4PM, attendance, queue
    from tests.integration.district import make_account
    from app.tables import AcademicSession

    clock.set(FRIDAY_4PM)
    await AcademicSession(source_id="y2026", title="2025–2026", kind="schoolYear", start_date=date(2025, 8, 4),
                          end_date=date(2026, 6, 5), school_year=2026).save()
    await make_account(district.guardian("rosa"), "rosa")
    path = tmp_path / "calendar.csv"
    path.write_text("date,school,kind\n2025-11-26,,break\n2025-11-27,,break\n2025-11-28,,break\n"
                    "2026-01-15,sch-oak,snow day\n2026-01-16,sch-oak,snow day\n2026-03-11,sch-oak,snow day\n",
                    encoding="utf-8")
    assert not (await import_csv(path)).has_errors
    await attendance(district, [("ana", "2026-03-10", "", "unexcused-absence"),
                                ("ben", "2026-03-10", "", "unexcused-absence"),
                                ("ben", "2026-01-16", "", "unexcused-absence"),  # a snow day: not counted
                                ("ben", "2026-03-11", "", "unexcused-absence")])  # nor in this week's list
    await queue()
    [mail] = await deliver()
    text = mail.text.replace("\r\n", "\n")
    ana, ben = (text.split(f"== {name} ==")[1].split("==")[0] for name in ("Ana Rivera", "Benito Rivera"))
    # 160 weekdays from 4 August to 13 March, less the 3 days of the break, and Oak's 3 snow days.
    assert "absent 1 of 157 school days (0.6%)" in ana
    assert "absent 1 of 154 school days (0.6%)" in ben
    assert "Mar 10" in ben and "Mar 11" not in ben, ben


async def test_a_school_year_the_sis_started_in_year_1_counts_at_most_a_year(district, mailbox, deliver, clock):
    """An attacker's find (issue 13): a schoolYear session starting 0001-01-01 (.NET's "no date") made the
    digest count 528,529 school days (a chronic absence read 0.0 %), and failed on PostgreSQL (one placeholder
    for every weekend since)."""
    from tests.integration.test_digests import FRIDAY_4PM, attendance, queue
    from tests.integration.district import make_account
    from app.tables import AcademicSession

    clock.set(FRIDAY_4PM)
    await AcademicSession(source_id="yr-ancient", title="Always", kind="schoolYear", start_date=date(1, 1, 1),
                          end_date=date(2026, 6, 5), school_year=2026).save()
    await make_account(district.guardian("rosa"), "rosa")
    await attendance(district, [("ana", "2026-03-10", "", "unexcused-absence")])
    await queue()
    [mail] = await deliver()
    ana = mail.text.replace("\r\n", "\n").split("== Ana Rivera ==")[1].split("==")[0]
    counted = int(re.search(r"absent 1 of (\d+) school days", ana).group(1))
    assert 250 <= counted <= 263, ana  # the weekdays of 13 March and the 366 days before it


async def test_the_export_lists_only_school_days(district, portal, tmp_path):
    from app.services.absence_reports import write_absence_reports
    from tests.integration.test_absence_reports import REPORT, reports_url, signed_in

    path = tmp_path / "calendar.csv"
    path.write_text("date,school,kind,description\n2026-03-16,sch-maple,teacher-only,Staff development\n",
                    encoding="utf-8")
    assert not (await import_csv(path)).has_errors
    await signed_in(portal, district)
    sent = await portal.post(reports_url(district, "ana"), {**REPORT, "first_day": "2026-03-13",
                                                            "last_day": "2026-03-17"})
    assert sent.status_code == 303
    out = io.StringIO(newline="")
    assert await write_absence_reports(out) == 2  # Fri 13 and Tue 17: not the weekend, not Maple's PD day
    assert "2026-03-16" not in out.getvalue()


async def test_home_shows_no_classes_at_a_school_the_district_closed_today(portal, district, school_year, clock,  # noqa: F811
                                                                           tmp_path):
    """Tuesday 10 March: a snow day at Maple Street only. Ana (Maple) has no classes today; Benito (Oak) has."""
    from datetime import datetime, timezone

    from tests.integration.district import PASSWORD
    from tests.integration.portal import page_text

    clock.set(datetime(2026, 3, 10, 14, 0, tzinfo=timezone.utc))
    path = tmp_path / "calendar.csv"
    path.write_text("date,school,kind\n2026-03-10,sch-maple,snow day\n", encoding="utf-8")
    assert not (await import_csv(path)).has_errors
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    text = page_text((await portal.get("/home")).text)
    # home: each child's summary first, then each child's details (today's classes) in the same order
    ana, ben = text.split("Ana Rivera")[-1].split("Benito Rivera")[0], text.split("Benito Rivera")[-1]
    assert "No classes today." in ana and "Period" not in ana.split("Attendance, last 14 days")[0]
    assert "No classes today." not in ben and "Period" in ben.split("Attendance, last 14 days")[0]
