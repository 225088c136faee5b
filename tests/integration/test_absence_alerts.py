"""Same-day absence alerts (issue 12 items 2, 4 and 6), with mail received by aiosmtpd: one alert per
mailbox per child per day (guardians who share an address get one between them); a re-import or an import that only excuses sends nothing new; an excuse that
arrives before the alert is sent cancels it; quiet hours hold it back; a guardian whose access is off
gets nothing; one-click unsubscribe (RFC 8058) and the link in the body.

The suite's clock: Tuesday 10 March 2026, 10:00 in the district (America/New_York)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from tests.integration.district import OTHER_PASSWORD, PASSWORD, SHARED_EMAIL, make_account

HEADER = ["studentSourcedId", "schoolSourcedId", "date", "sectionSourcedId", "period", "category", "reason"]
TODAY = "2026-03-10"


def events_file(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


async def import_events(tmp_path: Path, rows: list[list[str]], name: str = "att.csv"):
    from app.importers.attendance import import_attendance

    report = await import_attendance(events_file(tmp_path / name, rows))
    assert not report.has_errors, report.lines()
    return report


async def send_due():
    from app.services.absence_alerts import send_due_alerts

    return await send_due_alerts()


async def accounts(district) -> dict[str, int]:
    return {"rosa": await make_account(district.guardian("rosa"), "rosa"),
            "luis": await make_account(district.guardian("luis"), "luis", OTHER_PASSWORD),
            "sam": await make_account(district.guardian("sam"), "sampark")}


ANA_ABSENT = [["stu-ana", "sch-maple", TODAY, "", "", "Unexcused Absence", ""]]
ANA_EXCUSED = [["stu-ana", "sch-maple", TODAY, "", "", "Excused Absence", "Doctor"]]


async def test_one_alert_per_guardian_per_child_per_day_and_none_on_reimport(district, mailbox, deliver, clock,
                                                                              tmp_path):
    await accounts(district)
    await import_events(tmp_path, ANA_ABSENT)
    assert await deliver() == []  # it waits the district's 15 minutes for a correction
    clock.advance(minutes=16)
    assert await send_due() == 1
    received = await deliver()
    assert [m.to for m in received] == [SHARED_EMAIL]  # Rosa and Luis share it: one between them
    mail = received[0]
    assert mail.subject == "Ana was marked absent on Tue, Mar 10"
    assert "Ana Rivera was marked absent without an excuse on Tue, Mar 10." in mail.text
    ana = district.students["ana"].public_id
    assert f"http://portal.test/students/{ana}/attendance" in mail.text
    assert f"http://portal.test/students/{ana}/absence-reports/new?day={TODAY}" in mail.text
    assert 'href="http://portal.test/unsubscribe/' in mail.html
    # The same file again, a later file with another period for the same child, a second run: nothing new.
    await import_events(tmp_path, ANA_ABSENT)
    await import_events(tmp_path, [["stu-ana", "sch-maple", TODAY, "", "3", "Unexcused Absence", ""]], "p3.csv")
    clock.advance(minutes=30)
    assert await send_due() == 0
    assert await deliver() == []
    # A later import that only excuses it: nothing either.
    await import_events(tmp_path, ANA_EXCUSED, "excused.csv")
    clock.advance(minutes=30)
    await send_due()
    assert await deliver() == []


async def test_class_period_absences_name_the_periods(district, mailbox, deliver, clock, tmp_path):
    from app.tables import Course, Section

    await accounts(district)
    course = Course(source_id="crs-math", title="Math 3")
    await course.save()
    section = Section(source_id="cls-math", public_id="c0ffee00-0000-4000-8000-000000000001", title="Math 3 A",
                      course=course.id, school=district.schools["sch-oak"].id, periods="2")
    await section.save()
    await import_events(tmp_path, [["stu-ben", "sch-oak", TODAY, "cls-math", "2", "unexcused-absence", ""]])
    clock.advance(minutes=16)
    await send_due()
    received = await deliver()
    assert len(received) == 1  # Rosa and Luis share one address
    assert "Benito Rivera was marked absent without an excuse from some classes on Tue, Mar 10:" in received[0].text
    assert "- Period 2, Math 3" in received[0].text


async def test_an_excuse_before_the_alert_is_sent_cancels_it(district, mailbox, deliver, clock, tmp_path):
    from app.tables import AbsenceAlert

    await accounts(district)
    await import_events(tmp_path, ANA_ABSENT)
    clock.advance(minutes=5)
    await import_events(tmp_path, ANA_EXCUSED, "excused.csv")
    clock.advance(minutes=30)
    assert await send_due() == 0
    assert await deliver() == []
    assert {r["status"] for r in await AbsenceAlert.select(AbsenceAlert.status)} == {"cancelled"}


async def test_absences_of_other_days_send_nothing(district, mailbox, deliver, clock, tmp_path):
    await accounts(district)
    await import_events(tmp_path, [["stu-ana", "sch-maple", "2026-03-09", "", "", "Unexcused Absence", ""]])
    clock.advance(minutes=16)
    await send_due()
    assert await deliver() == []


async def test_a_guardian_whose_access_is_off_gets_nothing(district, mailbox, deliver, clock, tmp_path):
    from app.rules.names import person_name_key
    from app.tables import GuardianLink, Person

    await accounts(district)
    # Nora Park's link to Cleo has portal access off; she has an account through a second child.
    nora = district.guardian("noportal")
    other = Person(source_id="stu-eve", kind="student", given_name="Eve", family_name="Park",
                   name_key=person_name_key("Eve", "Park"))
    await other.save()
    from app.tables import SchoolEnrollment

    await SchoolEnrollment(student=other.id, school=district.schools["sch-maple"].id, grade="2").save()
    await GuardianLink(guardian=nora.id, student=other.id).save()
    await make_account(nora, "nora")
    # And Luis's access to Ana is turned off by the school. (He has an address of his own here: had he kept
    # the mailbox he shares with Rosa, nothing about Ana would go there at all: test_mail_access.py.)
    await Person.update({Person.email: "luis.rivera@example.net"}).where(Person.id == district.guardian("luis").id)
    await GuardianLink.update({GuardianLink.portal_access: False}).where(
        (GuardianLink.guardian == district.guardian("luis").id) & (GuardianLink.student == district.students["ana"].id))
    await import_events(tmp_path, [["stu-ana", "sch-maple", TODAY, "", "", "Unexcused Absence", ""],
                                   ["stu-cleo", "sch-maple", TODAY, "", "", "Unexcused Absence", ""]])
    clock.advance(minutes=16)
    await send_due()
    received = await deliver()
    assert sorted((m.to, m.subject) for m in received) == [
        ("rivera.family@example.org", "Ana was marked absent on Tue, Mar 10"),  # Rosa only
        ("sam.park@example.org", "Cleo was marked absent on Tue, Mar 10"),  # Sam, not Nora
    ]


async def test_access_turned_off_after_the_alert_was_decided_but_before_it_was_due(district, mailbox, deliver,
                                                                                     clock, tmp_path):
    from app.tables import GuardianLink

    await accounts(district)
    await import_events(tmp_path, [["stu-cleo", "sch-maple", TODAY, "", "", "Unexcused Absence", ""]])
    await GuardianLink.update({GuardianLink.portal_access: False}).where(
        GuardianLink.guardian == district.guardian("sam").id)
    clock.advance(minutes=16)
    assert await send_due() == 0
    assert await deliver() == []


async def test_quiet_hours_hold_the_alert_until_they_end(district, mailbox, deliver, clock, tmp_path, portal):
    await accounts(district)
    assert (await portal.log_in("sampark", PASSWORD)).status_code == 303
    saved = await portal.post("/account/alerts", {"absence_alerts": "on", "digest": "on", "digest_day": "district",
                                                  "digest_missing_work": "on", "digest_grades": "on",
                                                  "grade_threshold": "C", "quiet_start": "9:00",
                                                  "quiet_end": "12:30"})
    assert saved.status_code == 303
    await import_events(tmp_path, [["stu-cleo", "sch-maple", TODAY, "", "", "Unexcused Absence", ""]])
    clock.advance(minutes=30)  # 10:30: past the district's delay, inside Sam's quiet hours
    assert await send_due() == 0
    clock.advance(hours=2)  # 12:30
    assert await send_due() == 1
    assert [m.to for m in await deliver()] == ["sam.park@example.org"]


async def test_alerts_off_in_the_account_or_the_district(district, mailbox, deliver, clock, tmp_path, portal):
    from app.services.preferences import set_preference

    await accounts(district)
    assert (await portal.log_in("sampark", PASSWORD)).status_code == 303
    assert (await portal.post("/account/alerts", {"digest": "on", "digest_day": "district",
                                                  "grade_threshold": "70%"})).status_code == 303
    await set_preference("absence_alerts_offered", "off")
    await import_events(tmp_path, [["stu-cleo", "sch-maple", TODAY, "", "", "Unexcused Absence", ""],
                                   ["stu-ana", "sch-maple", TODAY, "", "", "Unexcused Absence", ""]])
    clock.advance(minutes=16)
    await send_due()
    assert await deliver() == []
    await set_preference("absence_alerts_offered", "on")
    await import_events(tmp_path, [["stu-cleo", "sch-maple", TODAY, "", "", "Unexcused Absence", ""],
                                   ["stu-ana", "sch-maple", TODAY, "", "", "Unexcused Absence", ""]], "again.csv")
    clock.advance(minutes=16)
    await send_due()
    assert sorted(m.to for m in await deliver()) == [SHARED_EMAIL]  # Sam turned his off


async def cleos_alert(tmp_path, clock, deliver):
    """Cleo is marked absent; the district's delay passes; Sam's alert arrives."""
    await import_events(tmp_path, [["stu-cleo", "sch-maple", TODAY, "", "", "Unexcused Absence", ""]])
    clock.advance(minutes=16)
    await send_due()
    [mail] = await deliver()
    return mail


def _unsubscribe_link(mail) -> str:
    """The unsubscribe path in the email, without the language every emailed link carries (?lang=en)."""
    found = re.search(r"http://portal.test(/unsubscribe/[^\s\"?]+)\?lang=(\w+)", mail.text)
    assert found.group(2) == "en"
    return found.group(1)


async def test_unsubscribe_by_link_asks_on_get_and_changes_on_post(district, mailbox, deliver, clock, tmp_path,
                                                                    portal):
    from app.services.alert_preferences import choices_of

    ids = await accounts(district)
    mail = await cleos_alert(tmp_path, clock, deliver)
    link = _unsubscribe_link(mail)
    page = await portal.get(link)  # no one signed in
    assert page.status_code == 200 and "Stop these emails?" in page.text
    assert (await choices_of(ids["sam"])).absence_alerts is True  # GET changes nothing
    done = await portal.post(link, {})
    assert done.status_code == 200 and "You will no longer get same-day absence alerts" in done.text
    assert (await choices_of(ids["sam"])).absence_alerts is False
    assert (await choices_of(ids["sam"])).digest is True  # only that kind
    assert (await portal.get(link[:-3] + "abc")).status_code == 404  # a forged token
    assert (await portal.post(link[:-3] + "abc", {})).status_code == 404
    # Non-ASCII in a crafted token is "not found" too (it was a 500 from hmac.compare_digest).
    assert (await portal.get(link[:-3] + "%C3%BC")).status_code == 404
    assert (await portal.get("/unsubscribe/3.1.%C3%BC")).status_code == 404


async def test_one_click_unsubscribe_needs_no_cookie_and_no_csrf_token(district, mailbox, deliver, clock, tmp_path,
                                                                        portal):
    from app.services.alert_preferences import choices_of

    ids = await accounts(district)
    mail = await cleos_alert(tmp_path, clock, deliver)
    link = _unsubscribe_link(mail)
    assert f"<http://portal.test{link}>" in str(mail.message["List-Unsubscribe"])  # RFC 8058
    assert str(mail.message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    portal.client.cookies.clear()
    response = await portal.client.post(link, content=b"List-Unsubscribe=One-Click",
                                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200
    assert (await choices_of(ids["sam"])).absence_alerts is False
    clock.advance(days=1)  # the next day, Cleo is absent again: Sam has unsubscribed, the Riveras are not hers
    await import_events(tmp_path, [["stu-cleo", "sch-maple", "2026-03-11", "", "", "Unexcused Absence", ""]], "b.csv")
    clock.advance(minutes=16)
    assert await send_due() == 0
    assert await deliver() == []


async def test_an_excuse_after_the_alert_was_queued_but_before_the_relay_took_it_cancels_it(district, mailbox,
                                                                                             deliver, clock, tmp_path):
    from app.tables import OutboxEmail

    await accounts(district)
    await import_events(tmp_path, [["stu-cleo", "sch-maple", TODAY, "", "", "Unexcused Absence", ""]])
    clock.advance(minutes=16)
    assert await send_due() == 1  # in the outbox, the relay is slow or down
    await import_events(tmp_path, [["stu-cleo", "sch-maple", TODAY, "", "", "Excused Absence", "Doctor"]], "ex.csv")
    assert await deliver() == []
    assert [r["status"] for r in await OutboxEmail.select(OutboxEmail.status)] == ["cancelled"]


async def test_a_restriction_the_office_put_on_a_link_stops_the_alert(district, mailbox, deliver, clock, tmp_path):
    """The records pages' rule, restrictions included (app/services/access.py): a court order that starts
    today keeps Luis from Ana's alert; one that starts tomorrow does not yet. (Luis has an address of his own
    here: in the mailbox he shares with Rosa, nothing about Ana would go while his access is off.)"""
    from app.services.access import block_access
    from app.tables import Person

    await accounts(district)
    await Person.update({Person.email: "luis.rivera@example.net"}).where(Person.id == district.guardian("luis").id)
    await block_access("gua-luis", "stu-ana", "court-order", starts_on="2026-03-10")
    await block_access("gua-rosa", "stu-ben", "court-order", starts_on="2026-03-11")
    await import_events(tmp_path, [["stu-ana", "sch-maple", TODAY, "", "", "Unexcused Absence", ""],
                                   ["stu-ben", "sch-oak", TODAY, "", "", "Unexcused Absence", ""]])
    clock.advance(minutes=16)
    await send_due()
    subjects = sorted(m.subject for m in await deliver())
    assert subjects == ["Ana was marked absent on Tue, Mar 10",  # Rosa
                        "Benito was marked absent on Tue, Mar 10", "Benito was marked absent on Tue, Mar 10"]


async def test_an_ed_fi_import_alerts_too_and_its_re_import_does_not(database, mailbox, deliver, clock, tmp_path):
    from app.importers.edfi import import_edfi
    from app.importers.edfi_source import FolderSource
    from app.importers.oneroster import import_oneroster
    from app.tables import Person
    from tests.integration.edfi_files import school_event, write_edfi
    from tests.integration.roster_files import full_set_11, write_set

    assert not (await import_oneroster(write_set(tmp_path / "roster", full_set_11()))).has_errors
    rosa = await Person.objects().where(Person.source_id == "par-rosa").first()
    await make_account(rosa, "rosa")
    folder = write_edfi(tmp_path / "edfi", {"studentSchoolAttendanceEvents": [
        school_event("1001", "sch-oak", TODAY, "Unexcused Absence")]})
    for _ in range(2):
        report = await import_edfi(FolderSource(folder))
        assert not report.has_errors, report.lines()
        clock.advance(minutes=16)
        await send_due()
    assert [m.subject for m in await deliver()] == ["Ana was marked absent on Tue, Mar 10"]


async def test_no_alert_about_a_day_the_district_closed_the_childs_school(district, mailbox, deliver, clock,
                                                                         tmp_path):
    """An unexcused absence the SIS recorded on a day Maple Street was closed is a slip, not news: no alert
    for Ana; Benito's school (Oak Ridge) was open, so his parents hear about his."""
    from app.importers.calendar import import_calendar

    await accounts(district)
    calendar = tmp_path / "calendar.csv"
    calendar.write_text(f"date,school,kind,description\n{TODAY},sch-maple,weather,Snow day\n", encoding="utf-8")
    assert not (await import_calendar(calendar)).has_errors
    await import_events(tmp_path, [*ANA_ABSENT, ["stu-ben", "sch-oak", TODAY, "", "", "Unexcused Absence", ""]])
    clock.advance(minutes=16)
    assert await send_due() == 1  # to Rosa and Luis's one address
    assert {m.subject for m in await deliver()} == {"Benito was marked absent on Tue, Mar 10"}


async def test_no_alert_about_a_weekend_day_the_calendar_did_not_make_a_school_day(district, mailbox, deliver, clock,
                                                                                   tmp_path):
    """The SIS marked Ana absent on a Saturday (no calendar at all, so no entry for it): a slip, shown on home
    and the attendance page as not counted, never an email to her parents (a helper's find: only closures were
    skipped). A make-up Saturday the calendar made a school day alerts as any school day."""
    from app.importers.calendar import import_calendar

    await accounts(district)
    clock.advance(days=4)  # Saturday 14 March 2026, 10:00
    saturday = "2026-03-14"
    await import_events(tmp_path, [["stu-ana", "sch-maple", saturday, "", "", "Unexcused Absence", ""]])
    clock.advance(minutes=16)
    await send_due()
    assert await deliver() == []

    calendar = tmp_path / "calendar.csv"
    calendar.write_text(f"date,school,kind,description\n{saturday},,make-up,Make-up day\n", encoding="utf-8")
    assert not (await import_calendar(calendar)).has_errors
    await import_events(tmp_path, [["stu-ben", "sch-oak", saturday, "", "", "Unexcused Absence", ""]], "again.csv")
    clock.advance(minutes=16)
    await send_due()
    # The day is a school day now: Ana's absence, looked at again after this import, is news too.
    assert {m.subject for m in await deliver()} == {"Benito was marked absent on Sat, Mar 14",
                                                     "Ana was marked absent on Sat, Mar 14"}



async def alert_accounts() -> list[int]:
    from app.tables import AbsenceAlert

    return sorted(r["account"] for r in await AbsenceAlert.select(AbsenceAlert.account))


async def test_guardians_who_share_an_address_get_one_alert_between_them(district, mailbox, deliver, clock,
                                                                         tmp_path):
    """Rosa and Luis both read rivera.family@example.org: one email about Ana, not two identical ones. It is
    the alert of the lowest account id among those who want it (Rosa's)."""
    ids = await accounts(district)
    await import_events(tmp_path, ANA_ABSENT)
    clock.advance(minutes=16)
    assert await send_due() == 1
    assert [(m.to, m.subject) for m in await deliver()] == [(SHARED_EMAIL, "Ana was marked absent on Tue, Mar 10")]
    assert await alert_accounts() == [ids["rosa"]]


async def test_one_alert_to_a_shared_address_across_two_imports_the_same_day(district, mailbox, deliver, clock,
                                                                            tmp_path):
    """Luis makes his account after the morning's import told Rosa; the afternoon's import (another period)
    finds Rosa's alert to the address they share and adds none for him, whatever the case of his address."""
    from app.tables import Person

    rosa = await make_account(district.guardian("rosa"), "rosa")
    await import_events(tmp_path, ANA_ABSENT)
    clock.advance(minutes=16)
    assert await send_due() == 1
    await Person.update({Person.email: SHARED_EMAIL.upper()}).where(Person.id == district.guardian("luis").id)
    await make_account(district.guardian("luis"), "luis", OTHER_PASSWORD)
    clock.advance(hours=3)
    await import_events(tmp_path, [["stu-ana", "sch-maple", TODAY, "", "3", "Unexcused Absence", ""]], "p3.csv")
    clock.advance(minutes=16)
    assert await send_due() == 0
    assert [m.to for m in await deliver()] == [SHARED_EMAIL]
    assert await alert_accounts() == [rosa]


async def test_a_guardian_with_alerts_off_leaves_the_shared_address_to_the_other(district, mailbox, deliver, clock,
                                                                                tmp_path):
    """Rosa (the lower account id) turned alerts off: Luis gets the one alert to their address. When she turns
    them on again later that day, a second import adds none for her: the address has had its alert."""
    from app.services.alert_preferences import save_choices

    ids = await accounts(district)
    off = {"digest": "on", "digest_day": "district", "grade_threshold": "70%"}
    assert await save_choices(ids["rosa"], off, ip="127.0.0.1") == []
    await import_events(tmp_path, ANA_ABSENT)
    clock.advance(minutes=16)
    assert await send_due() == 1
    assert [m.to for m in await deliver()] == [SHARED_EMAIL]
    assert await alert_accounts() == [ids["luis"]]
    assert await save_choices(ids["rosa"], {**off, "absence_alerts": "on"}, ip="127.0.0.1") == []
    await import_events(tmp_path, [["stu-ana", "sch-maple", TODAY, "", "3", "Unexcused Absence", ""]], "p3.csv")
    clock.advance(minutes=16)
    assert await send_due() == 0
    assert await deliver() == []
    assert await alert_accounts() == [ids["luis"]]


async def test_guardians_with_different_addresses_still_get_one_each(district, mailbox, deliver, clock, tmp_path):
    """Luis has an address of his own now; their grandmother Marta shares Rosa's (written in capitals in the
    SIS): one alert to each address, Luis's and the one Rosa and Marta read."""
    from app.rules.names import person_name_key
    from app.tables import GuardianLink, Person

    ids = await accounts(district)
    await Person.update({Person.email: "luis.rivera@example.net"}).where(Person.id == district.guardian("luis").id)
    marta = Person(source_id="gua-marta", kind="guardian", given_name="Marta", family_name="Rivera",
                   name_key=person_name_key("Marta", "Rivera"), email=SHARED_EMAIL.upper())
    await marta.save()
    await GuardianLink(guardian=marta.id, student=district.students["ana"].id).save()
    await make_account(marta, "marta")
    await import_events(tmp_path, ANA_ABSENT)
    clock.advance(minutes=16)
    assert await send_due() == 2
    assert sorted(m.to for m in await deliver()) == ["luis.rivera@example.net", SHARED_EMAIL]
    assert await alert_accounts() == sorted([ids["rosa"], ids["luis"]])


async def test_send_due_says_how_many_alerts_wait_and_until_when(district, mailbox, deliver, clock, tmp_path):
    """`homeroom alerts send-due` before the delay was over said "0 absence alert(s) ... queued" and nothing of
    the alerts due minutes later (an IT lead's find)."""
    from app.services.absence_alerts import waiting_alerts

    await accounts(district)
    await import_events(tmp_path, ANA_ABSENT)
    count, first = await waiting_alerts()
    assert count >= 1 and first is not None and first > clock.moment
    clock.advance(minutes=16)
    await send_due()
    assert await waiting_alerts() == (0, None)
