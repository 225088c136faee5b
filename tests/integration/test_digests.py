"""The weekly digest (issue 12 items 3, 6 and 8), with mail received by aiosmtpd: one email for a guardian of
three children at two schools, with each child's week, year-to-date absences against the chronic line,
missing and late work and grades under the guardian's threshold, each linked; nothing for a child whose
access is off; no email when there is nothing to say; `queue_digests` idempotent and resumable; quiet
hours respected; the schedule queues at the district's day and hour.

Clock: Friday 13 March 2026, 16:00 in the district (America/New_York): the week of 9 March."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, datetime, timezone

import pytest

from tests.conftest import PROJECT_ROOT
from tests.integration.district import OTHER_PASSWORD, PASSWORD, SHARED_EMAIL, make_account

FRIDAY_4PM = datetime(2026, 3, 13, 20, 0, tzinfo=timezone.utc)
WEEK_OF = date(2026, 3, 9)


@pytest.fixture
async def school(district, clock):
    """The school year, the third quarter, a class per child, the Rivera family's third child (Cam, at Oak
    Ridge), and accounts for Rosa, Luis and Sam."""
    from app.tables import (AcademicSession, Course, GuardianLink, LineItem, Person, Result, SchoolEnrollment,
                            Section, SectionEnrollment, TermGrade)

    clock.set(FRIDAY_4PM)
    year = AcademicSession(source_id="y2026", title="2025–2026", kind="schoolYear", start_date=date(2025, 8, 4),
                           end_date=date(2026, 6, 5), school_year=2026)
    await year.save()
    q3 = AcademicSession(source_id="q3", title="Quarter 3", kind="gradingPeriod", start_date=date(2026, 1, 12),
                         end_date=date(2026, 3, 27), school_year=2026, parent=year.id)
    await q3.save()
    cam = Person(source_id="stu-cam", kind="student", given_name="Cam", family_name="Rivera")
    await cam.save()
    await SchoolEnrollment(student=cam.id, school=district.schools["sch-oak"].id, grade="6").save()
    for guardian in ("rosa", "luis"):
        await GuardianLink(guardian=district.guardian(guardian).id, student=cam.id).save()
    district.students["cam"] = cam
    sections = {}
    for n, (key, school_id, title) in enumerate((("ana", "sch-maple", "Reading 3"), ("ben", "sch-oak", "Algebra"),
                                                 ("cam", "sch-oak", "Science 6"), ("cleo", "sch-maple", "Art 1"))):
        course = Course(source_id=f"crs-{key}", title=title)
        await course.save()
        section = Section(source_id=f"cls-{key}", public_id=f"5ec7{n:04d}-0000-4000-8000-000000000000",
                          title=f"{title} A", course=course.id, school=district.schools[school_id].id, periods="1")
        await section.save()
        await SectionEnrollment(source_id=f"enr-{key}", section=section.id, person=district.students[key].id).save()
        sections[key] = section
    items = {}
    for key, title, due in (("ben", "Chapter 7 problems", date(2026, 3, 11)), ("ben", "Quiz 6", date(2026, 3, 4)),
                            ("cam", "Lab report", date(2026, 3, 12))):
        item = LineItem(source_id=f"li-{title}", section=sections[key].id, title=title, due_date=due,
                        grading_period=q3.id, points_possible=10)
        await item.save()
        items[title] = item
    await Result(source_id="r1", line_item=items["Chapter 7 problems"].id, student=district.students["ben"].id,
                 missing=True).save()
    await Result(source_id="r2", line_item=items["Quiz 6"].id, student=district.students["ben"].id, score=9,
                 late=True).save()
    await Result(source_id="r3", line_item=items["Lab report"].id, student=cam.id, score=8).save()
    for key, grade, percent in (("ana", "A", 95.0), ("ben", "D+", 68.0), ("cam", "C", 74.0), ("cleo", "F", 40.0)):
        await TermGrade(source_id=f"tg-{key}", student=district.students[key].id, section=sections[key].id,
                        term=q3.id, grade=grade, percent=percent).save()
    return {"rosa": await make_account(district.guardian("rosa"), "rosa"),
            "luis": await make_account(district.guardian("luis"), "luis", OTHER_PASSWORD),
            "sam": await make_account(district.guardian("sam"), "sampark")}


async def attendance(district, rows: list[tuple]) -> None:
    from app.tables import AttendanceEvent

    for n, (key, day, period, category) in enumerate(rows):
        student = district.students[key]
        school = district.schools["sch-maple" if key in ("ana", "cleo") else "sch-oak"]
        await AttendanceEvent(source_id=f"ev-{key}-{day}-{period}-{n}", student=student.id, school=school.id,
                              event_date=date.fromisoformat(day), period=period, category=category).save()


async def queue(week_of=None):
    from app.services.digests import queue_digests

    return await queue_digests(week_of)


async def test_one_digest_for_a_guardian_of_three_children_at_two_schools(district, school, mailbox, deliver):
    await attendance(district, [
        ("ana", "2026-03-10", "", "unexcused-absence"), ("ana", "2026-03-11", "", "excused-absence"),
        ("ben", "2026-03-12", "", "tardy"), ("ben", "2026-03-12", "3", "unexcused-absence"),
        ("ana", "2026-03-02", "", "excused-absence"),  # last week: in the year's total only
        # 19 school days this year (the weekdays of 1 to 25 September)
        *[("cam", f"2025-09-{d:02d}", "", "unexcused-absence") for d in range(1, 26) if date(2025, 9, d).weekday() < 5],
    ])
    run = await queue()
    assert (run.week_of, run.queued) == (WEEK_OF, 3)  # Rosa, Luis (the same children) and Sam
    received = await deliver()
    assert sorted(m.to for m in received) == [SHARED_EMAIL, SHARED_EMAIL, "sam.park@example.org"]
    mail = next(m for m in received if m.to == SHARED_EMAIL)
    assert mail.subject == "This week at school: Ana, Benito, Cam"
    text = mail.text.replace("\r\n", "\n")
    assert "Your weekly summary from Campus Portal, Mon, Mar 9 to Fri, Mar 13." in text
    ana, ben, cam = (text.split(f"== {name} ==")[1].split("==")[0] for name in ("Ana Rivera", "Benito Rivera",
                                                                                "Cam Rivera"))
    assert "- Tue, Mar 10: whole day, not excused" in ana and "- Wed, Mar 11: whole day, excused" in ana
    # 3 absences in 160 school days (the weekdays from 4 August to 13 March): under the 10 % line.
    assert "This school year: absent 3 of 160 school days (1.9%). The district counts 10% or more" in ana
    assert "at or above the line" not in ana and "Grades under" not in ana  # an A is above 70 %
    assert "- Thu, Mar 12: period 3, not excused" in ben and "Tardy 1 time this week." in ben  # one: "period"
    assert "- Algebra: Chapter 7 problems (due Wed, Mar 11), missing" in ben
    assert "- Algebra: Quiz 6 (due Wed, Mar 4), late" in ben
    assert "Grades under 70%:" in ben and "- Algebra: D+ (68.0%)" in ben
    assert "absent 19 of 160 school days (11.9%)" in cam and "at or above the line" in cam
    assert "Lab report" not in cam and "Grades under" not in cam  # graded on time; a C is 74 %
    ben_id = district.students["ben"].public_id
    assert f"http://portal.test/students/{ben_id}/attendance" in text
    assert "http://portal.test/students/" + str(ben_id) + "/grades/5ec70001-0000-4000-8000-000000000000" in text
    assert "http://portal.test/unsubscribe/" in text and "http://portal.test/account?lang=en#alerts" in text
    html = mail.html
    assert '<h2 style="font-size:1.1em">Benito Rivera</h2>' in html and "<table" not in html
    assert len(mail.message.as_bytes()) < 20 * 1024
    sam = next(m for m in received if m.to == "sam.park@example.org")
    assert "Cleo Park" in sam.text and "Art 1: F (40.0%)" in sam.text


async def test_no_email_when_there_is_nothing_to_say_and_a_second_run_queues_nothing(district, school, mailbox,
                                                                                     deliver):
    from app.tables import TermGrade

    await TermGrade.update({TermGrade.percent: 90.0, TermGrade.grade: "A-"}, force=True)
    from app.tables import Result

    await Result.update({Result.missing: False, Result.late: False}, force=True)
    run = await queue()
    assert (run.queued, run.nothing) == (0, 3)
    assert await deliver() == []
    again = await queue()
    assert (again.queued, again.nothing, again.already) == (0, 0, 3)


async def test_a_second_run_and_a_resumed_run_send_nothing_twice(district, school, mailbox, deliver, tmp_path):
    from app.services.digests import queue_digests

    first = await queue_digests(accounts=[school["rosa"]])  # as if the run stopped after Rosa
    assert first.queued == 1
    rest = await queue()
    assert (rest.queued, rest.already) == (2, 1)
    assert (await queue()).queued == 0
    assert len(await deliver()) == 3


def test_the_command_queues_a_week_and_a_second_run_queues_nothing():
    """`homeroom digests queue --week-of` parses its date (bad input: a clear message, exit 2)."""
    result = subprocess.run([sys.executable, "-m", "app.cli", "digests", "queue", "--week-of", "13/03/2026"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and "is not a day written YYYY-MM-DD" in result.stderr


async def test_nothing_about_a_child_whose_access_is_off(district, school, mailbox, deliver):
    from app.tables import GuardianLink

    from app.tables import Person

    await GuardianLink.update({GuardianLink.portal_access: False}).where(
        (GuardianLink.guardian == district.guardian("rosa").id) & (GuardianLink.student == district.students["ben"].id))
    await attendance(district, [("ana", "2026-03-10", "", "unexcused-absence")])
    # Luis with an address of his own (in the shared mailbox nothing about Benito goes: test_mail_access.py).
    await Person.update({Person.email: "luis.rivera@example.net"}).where(Person.id == district.guardian("luis").id)
    await queue()
    received = await deliver()
    [rosa] = [m for m in received if m.to == SHARED_EMAIL]
    [luis] = [m for m in received if m.to == "luis.rivera@example.net"]
    assert (rosa.subject, luis.subject) == ("This week at school: Ana, Cam", "This week at school: Ana, Benito, Cam")
    assert "Benito" not in rosa.text and "Algebra" not in rosa.text and "Benito" not in rosa.html


async def test_quiet_hours_hold_the_digest_and_choices_shape_it(district, school, mailbox, deliver, clock, portal):
    from app.services.digests import send_due_digests

    assert (await portal.log_in("sampark", PASSWORD)).status_code == 303
    assert (await portal.post("/account/alerts", {"digest": "on", "digest_day": "district", "digest_grades": "on",
                                                  "grade_threshold": "D-", "quiet_start": "15:00",
                                                  "quiet_end": "17:30"})).status_code == 303
    run = await queue()
    assert run.deferred == 1
    assert "sam.park@example.org" not in [m.to for m in await deliver()]
    clock.advance(hours=1)
    assert await send_due_digests() == 0
    clock.advance(minutes=30)
    assert await send_due_digests() == 1
    [sam] = await deliver()
    assert "Grades under D-:" in sam.text and "Art 1: F (40.0%)" in sam.text


async def test_the_schedule_queues_at_the_district_day_and_hour(district, school, mailbox, deliver, clock):
    from app.services.alert_schedule import Schedule
    from app.services.preferences import set_preference

    await set_preference("digest_hour", "17")
    schedule = Schedule()
    assert (await schedule.tick())["digests"] is None  # 16:00: not yet
    clock.advance(hours=1)
    assert (await schedule.tick())["digests"].queued == 3
    assert (await schedule.tick())["digests"] is None  # once a day
    clock.advance(days=1)  # Saturday: nobody's day
    assert (await Schedule().tick())["digests"].queued == 0


async def test_unsubscribe_from_the_digest_by_its_link(district, school, mailbox, deliver, portal):
    from app.services.alert_preferences import choices_of

    await queue()
    sam = next(m for m in await deliver() if m.to == "sam.park@example.org")
    link = re.search(r"http://portal.test(/unsubscribe/[^\s\"]+)", sam.text).group(1)
    assert "You will no longer get the weekly summary" in (await portal.post(link, {})).text
    assert (await choices_of(school["sam"])).digest is False
    assert (await queue(date(2026, 3, 16))).queued == 2  # the next week: the Riveras only


async def test_the_digest_is_written_in_the_guardians_language(district, school, mailbox, deliver):
    from app.tables import Person, UserAccount

    await UserAccount.update({UserAccount.language: "es"}).where(UserAccount.id == school["sam"])
    await Person.update({Person.language: "es"}).where(Person.id == district.guardian("rosa").id)  # has an account
    await queue()
    received = await deliver()
    sam = next(m for m in received if m.to == "sam.park@example.org")
    assert sam.subject == "Esta semana en la escuela: Cleo"
    assert "Su resumen semanal de Campus Portal, del lunes 9 de marzo al viernes 13 de marzo." in sam.text
    assert '<html lang="es">' in sam.html
    # Rosa's account says English: the account's own choice wins over the SIS's language.
    assert {m.subject for m in received if m.to == SHARED_EMAIL} == {"This week at school: Ana, Benito, Cam"}


async def test_the_digest_carries_one_click_headers_and_an_unsubscribe_before_sending_cancels_it(
        district, school, mailbox, deliver):
    from app.services.alert_preferences import unsubscribe
    from app.rules.alerts import unsubscribe_token
    from app.settings import get_settings

    await queue()
    await unsubscribe(unsubscribe_token(get_settings().secret_key, school["sam"], "weekly-digest"), ip="", how="test")
    received = await deliver()
    assert sorted(m.to for m in received) == [SHARED_EMAIL, SHARED_EMAIL]  # Sam's was cancelled
    header = str(received[0].message["List-Unsubscribe"]).strip()
    assert header.startswith("<http://portal.test/unsubscribe/") and header.endswith(">")
    assert header[1:-1] in received[0].text
    assert str(received[0].message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"


async def test_a_restriction_the_office_put_on_a_link_keeps_the_child_out_of_the_digest(district, school, mailbox,
                                                                                         deliver):
    from app.services.access import block_access

    await block_access("gua-rosa", "stu-ben", "court-order", starts_on="2026-03-13")
    await attendance(district, [("ben", "2026-03-10", "", "unexcused-absence"),
                                ("ana", "2026-03-10", "", "unexcused-absence")])
    await queue()
    # Rosa and Luis share one mailbox: while Rosa's access to Benito is off, nothing about him goes there,
    # Luis's digest included (issue 11; docs/security.md).
    subjects = sorted(m.subject for m in await deliver() if m.to == SHARED_EMAIL)
    assert subjects == ["This week at school: Ana, Cam", "This week at school: Ana, Cam"]  # Luis, Rosa
