"""Report an absence (issue 12 item 5): a guardian reports from the attendance page (plain form and htmx),
gets a confirmation by email; the attendance office of the child's school (only it, and district admins)
marks it recorded or declines it with a reason, and the guardian gets the outcome; the district's window;
`homeroom export absence-reports` as Ed-Fi-shaped attendance events.

Clock: Tuesday 10 March 2026, 10:00 in the district."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys

from tests.conftest import PROJECT_ROOT
from tests.integration.district import PASSWORD, SHARED_EMAIL, make_account
from tests.integration.portal import error_messages, page_text

REPORT = {"first_day": "2026-03-10", "last_day": "2026-03-11", "whole_day": "yes", "periods": "",
          "reason": "illness", "note": "Fever since last night"}


async def schedule(district) -> None:
    """Benito's classes this spring: Algebra in period 1, Science in periods 2 and 3 (a double period), and
    a class that ended in the fall (period 5); Ana's elementary class has no periods."""
    from datetime import date

    from app.tables import AcademicSession, Section, SectionEnrollment, SectionTerm

    spring = AcademicSession(source_id="s2", title="Spring", kind="semester", start_date=date(2026, 1, 5),
                             end_date=date(2026, 5, 29), school_year=2026)
    fall = AcademicSession(source_id="s1", title="Fall", kind="semester", start_date=date(2025, 8, 11),
                           end_date=date(2025, 12, 19), school_year=2026)
    await spring.save()
    await fall.save()
    for n, (key, school, title, periods, term) in enumerate((
            ("ben", "sch-oak", "Algebra", "1", spring), ("ben", "sch-oak", "Science", "2,3", spring),
            ("ben", "sch-oak", "Band", "5", fall), ("ana", "sch-maple", "Grade 3", "", spring))):
        section = Section(source_id=f"cls-{n}", public_id=f"5ec7{n:04d}-0000-4000-8000-00000000000a", title=title,
                          school=district.schools[school].id, periods=periods)
        await section.save()
        await SectionTerm(section=section.id, term=term.id).save()
        await SectionEnrollment(source_id=f"enr-{n}", section=section.id, person=district.students[key].id).save()


async def signed_in(portal, district, who: str = "rosa"):
    await make_account(district.guardian(who), who)
    assert (await portal.log_in(who, PASSWORD)).status_code == 303
    return portal


def reports_url(district, key: str) -> str:
    return f"/students/{district.students[key].public_id}/absence-reports"


async def staff(portal, username: str, role: str, school: str | None):
    """A staff account with its authenticator (staff sign in with a second factor), signed in."""
    from tests.integration.test_staff_console import as_staff, staff_account

    await staff_account(username, role, school)
    await portal.log_out()
    await as_staff(portal, username)


async def test_a_guardian_reports_and_the_school_records_it(district, portal, deliver):
    from app.tables import AbsenceReport

    from datetime import date

    from app.tables import AcademicSession

    await AcademicSession(source_id="q3", title="Quarter 3", kind="gradingPeriod", start_date=date(2026, 1, 12),
                          end_date=date(2026, 3, 27), school_year=2026).save()
    await signed_in(portal, district)
    attendance = await portal.get(f"/students/{district.students['ana'].public_id}/attendance")
    assert f'href="{reports_url(district, "ana")}/new"' in attendance.text
    form = await portal.get(reports_url(district, "ana") + "/new?day=2026-03-09")
    assert form.status_code == 200 and 'value="2026-03-09"' in form.text
    sent = await portal.post(reports_url(district, "ana"), REPORT)
    assert sent.status_code == 303 and sent.headers["location"].endswith("/absence-reports?notice=sent")
    listing = page_text((await portal.get(sent.headers["location"])).text)
    assert "Your report was sent to the attendance office" in listing
    assert "Tue, Mar 10 – Wed, Mar 11, the whole day: Illness Waiting for the attendance office" in listing
    [confirmation] = await deliver()
    assert confirmation.to == SHARED_EMAIL and confirmation.subject == "We received your absence report for Ana"
    assert "Dates: Tue, Mar 10 to Wed, Mar 11" in confirmation.text and "Your note: Fever since last night" in \
        confirmation.text
    [report] = await AbsenceReport.select(AbsenceReport.public_id, AbsenceReport.status)
    # Oak Ridge's office does not see a Maple Street report; Maple Street's does.
    await staff(portal, "oakoffice", "school-staff", "sch-oak")
    assert "No absence reports are waiting." in (await portal.get("/staff/absence-reports")).text
    assert (await portal.get(f"/staff/absence-reports/{report['public_id']}")).status_code == 404
    assert (await portal.post(f"/staff/absence-reports/{report['public_id']}/record")).status_code == 404
    await staff(portal, "mapleoffice", "school-staff", "sch-maple")
    queue = await portal.get("/staff/absence-reports")
    assert "Ana Rivera" in queue.text and "Illness" in queue.text
    detail = await portal.get(f"/staff/absence-reports/{report['public_id']}")
    assert "Fever since last night" in detail.text
    done = await portal.post(f"/staff/absence-reports/{report['public_id']}/record")
    assert done.status_code == 303 and done.headers["location"] == "/staff/absence-reports?notice=recorded"
    [outcome] = await deliver()
    assert outcome.subject == "Your absence report for Ana was recorded"
    assert (await AbsenceReport.select(AbsenceReport.status))[0]["status"] == "recorded"
    # Deciding again changes nothing and sends nothing.
    assert (await portal.post(f"/staff/absence-reports/{report['public_id']}/decline", {"reason": "x"})
            ).status_code == 303
    assert await deliver() == []


async def test_declining_needs_a_reason_and_emails_it(district, portal, deliver):
    await schedule(district)
    await signed_in(portal, district)
    await portal.post(reports_url(district, "ben"), {**REPORT, "whole_day": "no", "periods": "2, 3",
                                                     "last_day": "", "reason": "family"})
    await deliver()
    from app.tables import AbsenceReport

    [report] = await AbsenceReport.select(AbsenceReport.public_id, AbsenceReport.periods)
    assert report["periods"] == "2,3"
    await staff(portal, "admin", "district-admin", None)
    empty = await portal.post(f"/staff/absence-reports/{report['public_id']}/decline", {"reason": " "}, htmx=True)
    assert empty.status_code == 422 and error_messages(empty.text) == ["Enter the reason"]
    await portal.post(f"/staff/absence-reports/{report['public_id']}/decline",
                      {"reason": "Benito was in class on both days"})
    [outcome] = await deliver()
    assert outcome.subject == "Your absence report for Benito was not recorded"
    assert "The office's reason: Benito was in class on both days" in outcome.text
    assert "Periods: 2, 3" in outcome.text
    # Each detail on a line of its own in the plain text ("Date: Wed, Dec 2Periods: 0, 1": a tester's find).
    assert re.search(r"^Dates?: [^\n]+\r?$", outcome.text, re.MULTILINE) and re.search(r"^Periods: 2, 3\r?$", outcome.text,
                                                                                  re.MULTILINE), outcome.text


async def test_bad_reports_are_explained_and_the_window_is_the_districts(district, portal, deliver):
    from app.services.preferences import set_preference

    await signed_in(portal, district)
    await set_preference("absence_report_days_back", "2")
    for htmx in (False, True):
        bad = await portal.post(reports_url(district, "ana"), {
            "first_day": "2026-03-01", "last_day": "someday", "whole_day": "no", "periods": "",
            "reason": "boredom", "note": "x" * 501}, htmx=htmx)
        assert bad.status_code == 422
        assert error_messages(bad.text) == [
            "Choose a date from Sun, Mar 8 to Thu, Apr 9", "Enter the date like 03/10/2026",
            "Enter which periods, for example 1, 2", "Choose a reason", "Use at most 500 characters"]
        assert ("<html" in bad.text) is not htmx
    backwards = await portal.post(reports_url(district, "ana"), {**REPORT, "first_day": "2026-03-12",
                                                                 "last_day": "2026-03-10"})
    assert error_messages(backwards.text) == ["The last day cannot be before the first day"]
    assert await deliver() == []


async def test_a_date_typed_as_a_us_family_writes_it_is_taken(district, portal, deliver):
    """Where the browser shows a text box for the date (no date picker), 03/12/2026 and 3-12-2026 are what a
    parent types; only 2026-03-12 was taken (a tester's find). A day that does not exist is said to be one."""
    from app.tables import AbsenceReport

    await signed_in(portal, district)
    wrong = await portal.post(reports_url(district, "ana"), {**REPORT, "first_day": "02/30/2026", "last_day": ""})
    assert error_messages(wrong.text) == ["That date does not exist: check the month and the day, like 03/10/2026"]
    two_digit_year = await portal.post(reports_url(district, "ana"), {**REPORT, "first_day": "3/12/26", "last_day": ""})
    assert error_messages(two_digit_year.text) == ["Write the year in full, like 03/10/2026"]
    assert await AbsenceReport.count() == 0
    taken = await portal.post(reports_url(district, "ana"), {**REPORT, "first_day": "03/12/2026",
                                                             "last_day": "3-13-2026"})
    assert taken.status_code == 303, error_messages(taken.text)
    [report] = await AbsenceReport.select(AbsenceReport.first_day, AbsenceReport.last_day)
    assert (report["first_day"].isoformat(), report["last_day"].isoformat()) == ("2026-03-12", "2026-03-13")
    await portal.post("/language", {"language": "es", "next": "/home"})
    spanish = await portal.post(reports_url(district, "ana"), {**REPORT, "first_day": "el 12", "last_day": "3/12/26"})
    assert error_messages(spanish.text) == ["Escriba la fecha así: 03/10/2026 (mes/día/año)",
                                            "Escriba el año completo, como 03/10/2026 (mes/día/año)"]


async def test_a_date_typed_day_first_is_said_as_it_was_read(district, portal):
    """A tester's find: "03/04/2026" from a family that writes the day first (3 April) was read as March 4 and
    refused with only the window; nothing said how it was read, and the date boxes came back empty."""
    from app.services.preferences import set_preference

    await signed_in(portal, district)
    await set_preference("absence_report_days_back", "2")
    day_first = await portal.post(reports_url(district, "ana"), {**REPORT, "first_day": "03/04/2026", "last_day": ""})
    assert error_messages(day_first.text) == [
        "03/04/2026 is read month first, as Wed, Mar 4: choose a date from Sun, Mar 8 to Thu, Apr 9"]
    assert 'value="2026-03-04"' in day_first.text  # the date box keeps the day, as it was read
    year_first = await portal.post(reports_url(district, "ana"), {**REPORT, "first_day": "2026-3-4", "last_day": ""})
    assert error_messages(year_first.text) == ["Choose a date from Sun, Mar 8 to Thu, Apr 9"]  # not "month first"
    await portal.post("/language", {"language": "es", "next": "/home"})
    spanish = await portal.post(reports_url(district, "ana"), {**REPORT, "first_day": "03/04/2026", "last_day": ""})
    assert error_messages(spanish.text) == [
        "03/04/2026 se lee con el mes primero, como el miércoles 4 de marzo: elija una fecha del domingo 8 de marzo "
        "al jueves 9 de abril"]


async def test_an_absence_reported_already_is_not_reported_twice(district, portal, deliver):
    """The same absence reported again (by the same guardian or the child's other) would reach the attendance
    office twice: refused, naming every earlier report it meets (days, and periods when not the whole day), not
    whose it was. Other days, other periods, and the days of a declined report are taken."""
    from datetime import date

    from app.tables import AbsenceReport

    await schedule(district)
    await signed_in(portal, district)
    assert (await portal.post(reports_url(district, "ben"), REPORT)).status_code == 303  # Tue 10 - Wed 11, whole day
    for again, field_message in (
            ({**REPORT, "first_day": "2026-03-11", "last_day": "2026-03-12"},
             "Already reported for this child, by you or another of the child's guardians: Tue, Mar 10 – Wed, "
             "Mar 11. Report only other days, or call the school to change a report."),
            # After a whole-day report no period of the day is taken, so the advice is other days only.
            ({**REPORT, "whole_day": "no", "periods": "1", "last_day": ""},
             "Already reported for this child, by you or another of the child's guardians: Tue, Mar 10 – Wed, "
             "Mar 11. Report only other days, or call the school to change a report.")):
        for htmx in (False, True):
            refused = await portal.post(reports_url(district, "ben"), again, htmx=htmx)
            assert refused.status_code == 422
            assert error_messages(refused.text) == [field_message]
    assert await AbsenceReport.count() == 1
    assert (await portal.post(reports_url(district, "ben"), {**REPORT, "first_day": "2026-03-12",
                                                             "last_day": ""})).status_code == 303
    # Periods: a report of period 1 and one of period 2 the same day are two things; period 1 again is not.
    for periods, status in (("1", 303), ("2,3", 303), ("3", 422)):
        answer = await portal.post(reports_url(district, "ben"), {**REPORT, "first_day": "2026-03-13", "last_day": "",
                                                                  "whole_day": "no", "periods": periods})
        assert answer.status_code == status, (periods, error_messages(answer.text))
    assert error_messages(answer.text) == [
        "Already reported for this child, by you or another of the child's guardians: Fri, Mar 13, periods 2, 3. "
        "Report only other periods or days, or call the school to change a report."]
    # Every earlier report met is named, so a parent is not refused again and again.
    week = await portal.post(reports_url(district, "ben"), {**REPORT, "first_day": "2026-03-09",
                                                            "last_day": "2026-03-13"})
    assert error_messages(week.text) == [
        "Already reported for this child, by you or another of the child's guardians: Tue, Mar 10 – Wed, Mar 11; "
        "Thu, Mar 12; Fri, Mar 13, period 1; Fri, Mar 13, periods 2, 3. Report only other days, or call the school "
        "to change a report."]
    # The office declined the first: its days may be reported again.
    await AbsenceReport.update({AbsenceReport.status: "declined"}).where(AbsenceReport.first_day == date(2026, 3, 10))
    assert (await portal.post(reports_url(district, "ben"), REPORT)).status_code == 303
    await AbsenceReport.update({AbsenceReport.status: "recorded"}).where(AbsenceReport.status == "pending")
    await portal.post("/language", {"language": "es", "next": "/home"})
    recorded = await portal.post(reports_url(district, "ben"), {**REPORT, "last_day": ""})
    assert error_messages(recorded.text) == [
        "Ya se avisó para este estudiante, por usted u otro de sus padres o tutores: martes 10 de marzo – "
        "miércoles 11 de marzo. Avise solo de otros días o llame a la escuela para cambiar un aviso."]


async def test_periods_typed_as_families_write_them_are_stored_as_the_sis_writes_them(district, portal, deliver):
    """"p1 and 2nd" is Benito's periods 1 and 2, stored (and exported, and compared) as the SIS writes them."""
    from app.tables import AbsenceReport

    await schedule(district)
    await signed_in(portal, district)
    answer = await portal.post(reports_url(district, "ben"), {**REPORT, "whole_day": "no", "periods": "p1 and 2nd",
                                                              "last_day": ""})
    assert answer.status_code == 303, error_messages(answer.text)
    assert [r["periods"] for r in await AbsenceReport.select(AbsenceReport.periods)] == ["1,2"]
    again = await portal.post(reports_url(district, "ben"), {**REPORT, "whole_day": "no", "periods": "Period 2",
                                                             "last_day": ""})
    assert error_messages(again.text) == [
        "Already reported for this child, by you or another of the child's guardians: Tue, Mar 10, periods 1, 2. "
        "Report only other periods or days, or call the school to change a report."]
    unknown = await portal.post(reports_url(district, "ben"), {**REPORT, "whole_day": "no", "periods": "soon",
                                                               "last_day": ""})
    assert error_messages(unknown.text) == ["Not on this child's schedule: soon (the periods are 1, 2, 3)"]


async def test_a_burst_of_the_same_report_stores_one(district, portal, deliver):
    """The check and the insert are one step: 30 copies sent at once stored all 30 on SQLite and several on
    PostgreSQL (an attacker's find: the office's queue flooded, and a confirmation email each). Each copy is answered
    as the first was: with "already reported", a double tap without JavaScript showed an error for a report that
    went through (the browser shows the last answer: a tester's find)."""
    import asyncio

    from app.tables import AbsenceReport

    await signed_in(portal, district)
    answers = await asyncio.gather(*(portal.post(reports_url(district, "ana"), REPORT) for _ in range(30)))
    assert {(a.status_code, a.headers.get("location", "").rsplit("?", 1)[-1]) for a in answers} == {(303, "notice=sent")}
    assert await AbsenceReport.count() == 1
    assert len(await deliver()) == 1
    # The 29 repeats do not use up the guardian's reports of the day (a retester's find).
    from app.services.absence_reports import REPORTS_PER_ACCOUNT
    from app.tables import RateCounter

    [tally] = await RateCounter.select(RateCounter.count).where(RateCounter.key.like("absence-report:%"))
    assert tally["count"] == 1 < REPORTS_PER_ACCOUNT
    # Not the same report (another note): refused, naming the days.
    other = await portal.post(reports_url(district, "ana") + "/new", {**REPORT, "note": "Still unwell"})
    assert other.status_code == 422 and "Already reported for this child" in error_messages(other.text)[0]


async def test_a_guardian_sends_at_most_so_many_reports_a_day_and_the_queue_says_when_more_wait(district, portal,
                                                                                                 deliver, clock):
    """A flood of distinct reports would bury other families' in the office's queue: a guardian sends at most
    REPORTS_PER_ACCOUNT a day; and the queue, which shows the earliest days first, says when more wait than it
    shows (it cut them without a word)."""
    from datetime import date, timedelta

    from app.services.absence_reports import QUEUE_SHOWN, REPORTS_PER_ACCOUNT
    from app.tables import AbsenceReport

    await signed_in(portal, district)
    day, sent = date(2026, 3, 10), 0
    while sent < REPORTS_PER_ACCOUNT:
        if day.weekday() < 5:
            answer = await portal.post(reports_url(district, "ana"), {**REPORT, "first_day": day.isoformat(),
                                                                      "last_day": ""})
            assert answer.status_code == 303, error_messages(answer.text)
            sent += 1
        day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    over = await portal.post(reports_url(district, "ana"), {**REPORT, "first_day": day.isoformat(), "last_day": ""})
    assert error_messages(over.text) == [f"You have sent {REPORTS_PER_ACCOUNT} absence reports in the last day, the "
                                         "most the portal takes: call the school to report more"]
    assert await AbsenceReport.count() == REPORTS_PER_ACCOUNT
    clock.advance(days=1, seconds=1)
    assert (await portal.post(reports_url(district, "ana"), {**REPORT, "first_day": day.isoformat(),
                                                             "last_day": ""})).status_code == 303

    first = await AbsenceReport.select().first()
    first.pop("id")
    await AbsenceReport.insert(*(AbsenceReport(**{**first, "public_id": __import__("uuid").uuid4()})
                                 for _ in range(QUEUE_SHOWN)))
    await staff(portal, "admin", "district-admin", None)
    queue = page_text((await portal.get("/staff/absence-reports")).text)
    assert f"More reports are waiting than the {QUEUE_SHOWN} shown here" in queue


async def test_another_familys_child_is_not_found(district, portal):
    from app.tables import AbsenceReport

    await signed_in(portal, district, "sam")
    for url in (reports_url(district, "ana"), reports_url(district, "ana") + "/new", "/students/nope/absence-reports"):
        assert (await portal.get(url)).status_code == 404
    assert (await portal.post(reports_url(district, "ana"), REPORT)).status_code == 404
    assert await AbsenceReport.count() == 0


async def test_the_export_gives_the_sis_one_event_per_school_day_and_period(district, portal, tmp_path):
    from app.services.absence_reports import write_absence_reports

    await schedule(district)
    await signed_in(portal, district)
    await portal.post(reports_url(district, "ana"), {**REPORT, "first_day": "2026-03-13", "last_day": "2026-03-16",
                                                     "note": "=HYPERLINK(\"http://evil.example\")"})
    await portal.post(reports_url(district, "ben"), {**REPORT, "whole_day": "no", "periods": "1,2", "last_day": "",
                                                     "reason": "religious", "note": ""})
    out = io.StringIO(newline="")
    assert await write_absence_reports(out) == 4  # Fri 13 and Mon 16 (not the weekend), Ben's two periods
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["studentSourcedId"], r["eventDate"], r["period"], r["attendanceEventCategoryDescriptor"])
            for r in rows] == [("stu-ana", "2026-03-13", "", "Excused Absence"),
                               ("stu-ana", "2026-03-16", "", "Excused Absence"),
                               ("stu-ben", "2026-03-10", "1", "Excused Absence"),
                               ("stu-ben", "2026-03-10", "2", "Excused Absence")]
    # The reason cell starts with the category, so a note is never the start of a formula.
    assert rows[0]["attendanceEventReason"] == 'Illness: =HYPERLINK("http://evil.example")'
    assert rows[0]["studentUniqueId"] == "S-ana" and rows[0]["schoolId"] == "sch-maple"
    assert rows[0]["reportStatus"] == "pending" and re.fullmatch(r"2026-03-10T14:00:00Z", rows[0]["reportedAt"])
    later = io.StringIO(newline="")
    assert await write_absence_reports(later, since=__import__("datetime").date(2026, 3, 11)) == 0


def test_the_export_command_refuses_a_bad_date():
    result = subprocess.run([sys.executable, "-m", "app.cli", "export", "absence-reports", "--since", "yesterday"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and "'yesterday' is not a day written YYYY-MM-DD" in result.stderr


async def test_days_that_are_not_school_days_and_periods_not_on_the_schedule_are_refused(district, portal,
                                                                                         deliver, tmp_path):
    """Weekend days, the district's closures, days after the school year ends and periods the child does not
    have: a clear message (in the guardian's language), nothing stored, nothing sent. A range is taken when
    at least one of its days is a school day."""
    from datetime import date

    from app.importers.calendar import import_calendar
    from app.services.preferences import set_preference
    from app.tables import AbsenceReport, AcademicSession

    await AcademicSession(source_id="y2026", title="2025–2026", kind="schoolYear", start_date=date(2025, 8, 4),
                          end_date=date(2026, 3, 20), school_year=2026).save()  # a short year: it ends on 20 March
    await set_preference("absence_report_days_ahead", "30")
    calendar = tmp_path / "calendar.csv"
    calendar.write_text("date,school,kind,description\n2026-03-12,,holiday,Founders' Day\n"
                        "2026-03-13,sch-oak,weather,\n", encoding="utf-8")
    assert not (await import_calendar(calendar)).has_errors
    await schedule(district)
    await signed_in(portal, district)
    ana, ben = reports_url(district, "ana"), reports_url(district, "ben")
    cases = [
        (ana, {"first_day": "2026-03-14", "last_day": ""}, "Sat, Mar 14 is a weekend day, not a school day"),
        (ana, {"first_day": "2026-03-12", "last_day": ""}, "Thu, Mar 12 is not a school day (Founders' Day)"),
        (ben, {"first_day": "2026-03-13", "last_day": "2026-03-13"},
         "Fri, Mar 13 is not a school day (a weather closure)"),
        (ben, {"first_day": "2026-03-12", "last_day": "2026-03-15"},
         "None of the days from Thu, Mar 12 to Sun, Mar 15 is a school day"),
        (ana, {"first_day": "2026-03-23", "last_day": ""}, "Mon, Mar 23 is after the school year ends (Fri, Mar 20)"),
        (ben, {"first_day": "2026-03-10", "last_day": "", "whole_day": "no", "periods": "1, 5"},
         "Not on this child's schedule: 5 (the periods are 1, 2, 3)"),
        (ana, {"first_day": "2026-03-10", "last_day": "", "whole_day": "no", "periods": "2"},
         "Homeroom has no class periods on this child's schedule: report the whole day, and name the classes in "
         "the note"),
    ]
    for url, changes, message in cases:
        for htmx in (False, True):
            refused = await portal.post(url, {**REPORT, **changes}, htmx=htmx)
            assert refused.status_code == 422 and error_messages(refused.text) == [message], changes
    # The last day may not run past the end of the year either.
    past = await portal.post(ana, {**REPORT, "first_day": "2026-03-19", "last_day": "2026-03-24"})
    assert error_messages(past.text) == ["Tue, Mar 24 is after the school year ends (Fri, Mar 20)"]
    assert await AbsenceReport.count() == 0 and await deliver() == []
    # In Spanish.
    await portal.post("/language", {"language": "es", "next": "/home"})
    spanish = await portal.post(ana, {**REPORT, "first_day": "2026-03-14", "last_day": ""})
    assert error_messages(spanish.text) == ["El sábado 14 de marzo es fin de semana, no un día de clases"]
    spanish = await portal.post(ben, {**REPORT, "first_day": "2026-03-13", "last_day": ""})
    assert error_messages(spanish.text) == ["El viernes 13 de marzo no es un día de clases (un cierre por el clima)"]
    await portal.post("/language", {"language": "en", "next": "/home"})
    # A range over a weekend and a holiday is taken: Wednesday 11 and Monday 16 are school days.
    taken = await portal.post(ana, {**REPORT, "first_day": "2026-03-11", "last_day": "2026-03-16"})
    assert taken.status_code == 303
    [confirmation] = await deliver()
    assert "School days: Wed, Mar 11, Fri, Mar 13, Mon, Mar 16" in confirmation.text
    whole_periods = await portal.post(ben, {**REPORT, "whole_day": "no", "periods": "2,3", "last_day": ""})
    assert whole_periods.status_code == 303 and await AbsenceReport.count() == 2


async def test_a_report_sent_without_javascript_after_the_session_ended_is_said_to_be_lost(district, portal, clock):
    """A tester's find: the form was sent after the idle limit, the login page said only that the session ended,
    and after signing in the parent was on the list with the long note gone and no word that nothing was sent. The
    form posts to its own page now, so the parent comes back to it, and the login page says what was lost."""
    from app.tables import AbsenceReport

    await signed_in(portal, district)
    form_page = reports_url(district, "ana") + "/new"
    assert f'action="{form_page}"' in (await portal.get(form_page)).text
    clock.advance(minutes=31)
    sent = await portal.post(form_page, REPORT)
    assert sent.status_code == 303
    assert sent.headers["location"] == "/?notice=form-not-sent&next=" + form_page.replace("/", "%2F")
    login = page_text((await portal.get(sent.headers["location"])).text)
    assert "Your session ended, so what you just sent was not saved. Log in again, then fill in the form again." in login
    assert await AbsenceReport.count() == 0
    assert f'name="next" value="{form_page}"' in (await portal.get(sent.headers["location"])).text
    back = await portal.post("/", {"username": "rosa", "password": PASSWORD, "next": form_page})
    assert back.status_code == 303 and back.headers["location"] == form_page
    # With htmx the page keeps what was typed and puts it back after signing in: the usual notice.
    clock.advance(minutes=31)
    enhanced = await portal.post(form_page, REPORT, htmx=True)
    assert "notice=session-ended" in (enhanced.headers.get("hx-redirect") or enhanced.headers.get("location", ""))


async def test_the_console_counts_the_absence_reports_and_corrections_waiting(district, portal):
    """A tester's find: "Waiting for the office" listed key requests and address changes only, while absence reports
    waited in their own queue."""
    await signed_in(portal, district)
    assert (await portal.post(reports_url(district, "ana"), REPORT)).status_code == 303
    await staff(portal, "DistrictOffice", "district-admin", None)
    console = page_text((await portal.get("/staff")).text)
    assert "1 absence report waits to be recorded" in console
    assert "0 correction requests wait for an answer" in console



async def test_a_guardian_sees_the_days_another_guardian_reported(district, portal, second_portal):
    """A tester's find: a report was refused as "already reported ... by you or another of the child's guardians"
    while the parent's list said they had reported nothing. The other guardian's reports show, days and state only
    (not their reason, their note, nor whose)."""
    from tests.integration.district import make_account

    await signed_in(portal, district)  # Rosa
    assert (await portal.post(reports_url(district, "ana"), {**REPORT, "note": "A private note"})).status_code == 303
    await make_account(district.guardian("luis"), "luis")
    assert (await second_portal.log_in("luis", PASSWORD)).status_code == 303
    listing = page_text((await second_portal.get(reports_url(district, "ana"))).text)
    assert "You have not reported an absence for Ana yet." in listing
    assert ("Reported by another of the child's guardians Tue, Mar 10 – Wed, Mar 11, the whole day Waiting for the "
            "attendance office") in listing
    assert "A private note" not in listing and "Illness" not in listing and "Rosa" not in listing
    own = page_text((await portal.get(reports_url(district, "ana"))).text)
    assert "Reported by another of the child's guardians" not in own
