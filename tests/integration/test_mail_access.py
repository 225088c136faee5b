"""Mail about a student is checked again when it is sent (issue 11: access off means "no email about that
child is sent afterwards"), with mail received by aiosmtpd.

Rosa Rivera has Ana (Maple Street) and Benito (Oak Ridge); Luis, their father, shares Rosa's mailbox in the
district fixture. Every kind of email about a student is queued while access is on, then access is
switched off for Rosa and Ana, then the sender runs: nothing about Ana arrives, everything about Benito does.
A mailbox shared with a restricted parent gets no mail about that child, whoever it is addressed to.

Clock: Tuesday 10 March 2026, 10:00 in the district (America/New_York)."""

from __future__ import annotations

import re

import pytest

from tests.integration.district import OTHER_PASSWORD, PASSWORD, SHARED_EMAIL, make_account
from tests.integration.portal import page_text
from tests.integration.test_absence_alerts import TODAY, import_events, send_due
from tests.integration.test_access import block, school_year  # noqa: F401  (a fixture)
from tests.integration.test_digests import school  # noqa: F401  (a fixture)
from tests.integration.test_key_request import details
from tests.integration.test_staff_console import as_staff, staff_account, words

LUIS_OWN = "luis.rivera@example.net"
BOTH_ABSENT = [["stu-ana", "sch-maple", TODAY, "", "", "Unexcused Absence", ""],
               ["stu-ben", "sch-oak", TODAY, "", "", "Unexcused Absence", ""]]
ANA_ALERT, BEN_ALERT = "Ana was marked absent on Tue, Mar 10", "Benito was marked absent on Tue, Mar 10"


async def give_own_address(district, guardian: str = "luis", email: str = LUIS_OWN) -> None:
    from app.tables import Person

    await Person.update({Person.email: email}).where(Person.id == district.guardian(guardian).id)


async def outbox(status: str) -> list[dict]:
    from app.tables import OutboxEmail

    return await OutboxEmail.select(OutboxEmail.kind, OutboxEmail.to_address, OutboxEmail.payload,
                                    OutboxEmail.last_error).where(OutboxEmail.status == status).order_by(
        OutboxEmail.id)


def mentions_ana(mail, district) -> bool:
    return bool(re.search(r"\bAna\b", mail.text + mail.html + mail.subject)) \
        or str(district.students["ana"].public_id) in mail.message.as_string()


def test_every_kind_says_whether_it_is_about_a_student():
    """A new kind has to be placed: about students (checked at send time) or about the account."""
    from app.mail.outbox import ABOUT_STUDENTS, ABOUT_THE_ACCOUNT, SUBJECTS

    assert ABOUT_STUDENTS.isdisjoint(ABOUT_THE_ACCOUNT)
    assert ABOUT_STUDENTS | ABOUT_THE_ACCOUNT == set(SUBJECTS)


async def test_a_kind_about_a_student_cannot_be_queued_without_saying_whom(database):
    from app.mail.outbox import enqueue_email

    with pytest.raises(ValueError, match="about="):
        await enqueue_email("correction-answered", "a@example.org", {"portal_name": "P"})


async def test_an_alert_queued_before_access_was_switched_off_is_not_sent(district, mailbox, deliver, clock,
                                                                          tmp_path):
    await give_own_address(district)  # the shared mailbox has its own test below
    await make_account(district.guardian("rosa"), "rosa")
    await make_account(district.guardian("luis"), "luis", OTHER_PASSWORD)
    await import_events(tmp_path, BOTH_ABSENT)
    clock.advance(minutes=16)
    assert await send_due() == 4  # in the outbox: Rosa's and Luis's, for Ana and for Benito
    await block(district)  # the court order arrives before the sender's turn
    received = await deliver()
    assert [m.subject for m in received if m.to == SHARED_EMAIL] == [BEN_ALERT]
    assert not any(mentions_ana(m, district) for m in received if m.to == SHARED_EMAIL)
    assert sorted(m.subject for m in received if m.to == LUIS_OWN) == [ANA_ALERT, BEN_ALERT]  # untouched
    [withheld] = await outbox("cancelled")
    assert (withheld["kind"], withheld["to_address"], withheld["payload"]) == ("absence-alert", SHARED_EMAIL, None)
    assert withheld["last_error"].startswith("withheld")
    assert await deliver() == []  # cancelled for good, not retried


async def test_every_email_about_a_student_queued_before_the_block_goes_only_for_the_other_child(
        portal, district, school_year, deliver):  # noqa: F811
    """Absence reports received, recorded and declined, and correction answers: each queued for Ana and for
    Benito while Rosa may see both; then access to Ana is switched off; then the sender runs."""
    from app.mail.outbox import ABOUT_STUDENTS

    ana, ben = district.students["ana"], district.students["ben"]
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    for child in (ana, ben):
        base = f"/students/{child.public_id}"
        for first, last in (("2026-03-09", "2026-03-09"), ("2026-03-10", "2026-03-11")):
            report = {"first_day": first, "last_day": last, "whole_day": "yes", "periods": "",
                      "reason": "illness", "note": ""}
            assert (await portal.post(f"{base}/absence-reports", report)).status_code == 303
        form = await portal.get(f"{base}/corrections/attendance")
        record = re.search(r'<option value="(\d+)"', form.text).group(1)
        sent = await portal.post(f"{base}/corrections/attendance", {"record": record, "message": "Wrong day."})
        assert sent.status_code == 303
    await portal.log_out()
    await staff_account("DistrictAdmin", "district-admin", None)
    await as_staff(portal, "DistrictAdmin")
    from app.tables import AbsenceReport, CorrectionRequest

    for n, report in enumerate(await AbsenceReport.select(AbsenceReport.public_id).order_by(AbsenceReport.id)):
        url = f"/staff/absence-reports/{report['public_id']}"
        done = await portal.post(url + "/record") if n % 2 == 0 else \
            await portal.post(url + "/decline", {"reason": "The teacher saw the student in class."})
        assert done.status_code == 303
    for request in await CorrectionRequest.select(CorrectionRequest.public_id):
        done = await portal.post(f"/staff/corrections/{request['public_id']}/answer",
                                 {"outcome": "corrected", "reason": ""})
        assert done.headers["location"] == "/staff/corrections?notice=emailed"  # access was on then

    await block(district)
    received = await deliver()
    kinds = {"absence-report-received", "absence-report-recorded", "absence-report-declined",
             "correction-answered"}
    assert kinds <= ABOUT_STUDENTS
    assert sorted(m.subject for m in received) == sorted([
        "We received your absence report for Benito", "We received your absence report for Benito",
        "Your absence report for Benito was recorded", "Your absence report for Benito was not recorded",
        "The school answered your Campus Portal correction request"])
    assert not any(mentions_ana(m, district) for m in received)
    assert "Benito" in [m for m in received if "correction" in m.subject][0].text
    assert sorted(r["kind"] for r in await outbox("cancelled")) == sorted(
        ["absence-report-received", "absence-report-received", "absence-report-recorded",
         "absence-report-declined", "correction-answered"])


async def test_a_digest_queued_before_the_block_goes_without_the_blocked_childs_section(district, school, deliver):  # noqa: F811
    from tests.integration.test_digests import attendance, queue

    await give_own_address(district)
    await attendance(district, [("ana", "2026-03-10", "", "unexcused-absence"),
                                ("ben", "2026-03-12", "", "tardy")])
    run = await queue()
    assert run.queued >= 2
    await block(district)
    received = await deliver()
    [to_rosa] = [m for m in received if m.to == SHARED_EMAIL]
    assert "Benito" in to_rosa.subject and "Benito" in to_rosa.text
    assert not mentions_ana(to_rosa, district)
    [to_luis] = [m for m in received if m.to == LUIS_OWN]
    assert "Ana" in to_luis.subject and "Benito" in to_luis.subject


async def test_a_digest_with_news_only_of_the_blocked_child_is_not_sent(district, school, deliver):  # noqa: F811
    from tests.integration.test_digests import attendance, queue

    from app.tables import GuardianLink

    await give_own_address(district)
    await GuardianLink.delete().where((GuardianLink.guardian == district.guardian("rosa").id)
                                      & (GuardianLink.student != district.students["ana"].id))
    await attendance(district, [("ana", "2026-03-10", "", "unexcused-absence")])
    assert (await queue()).queued >= 2
    await block(district)
    received = await deliver()
    assert SHARED_EMAIL not in [m.to for m in received] and LUIS_OWN in [m.to for m in received]
    assert [r["kind"] for r in await outbox("cancelled")] == ["weekly-digest"]


async def test_a_shared_mailbox_gets_no_mail_about_the_child_one_of_its_guardians_may_not_see(
        portal, district, mailbox, deliver, clock, tmp_path):
    """Rosa and Luis share one address; Rosa's access to Ana is off. Luis may still see Ana, but mail about
    Ana to that address would reach Rosa: it is not sent. Luis is told at home to add an address of his
    own; once he has, mail about Ana reaches him there."""
    await make_account(district.guardian("rosa"), "rosa")
    await make_account(district.guardian("luis"), "luis", OTHER_PASSWORD)
    await block(district)
    await import_events(tmp_path, BOTH_ABSENT)
    clock.advance(minutes=16)
    await send_due()
    received = await deliver()
    assert sorted(m.subject for m in received) == [BEN_ALERT]  # one between Rosa and Luis, about Benito
    assert not any(mentions_ana(m, district) for m in received)
    assert [(r["kind"], r["to_address"]) for r in await outbox("cancelled")] == [("absence-alert", SHARED_EMAIL)]

    notice = "Your email address is also on file for another person who may not receive email about one of " \
             "your children"
    assert (await portal.log_in("luis", OTHER_PASSWORD)).status_code == 303
    home = page_text((await portal.get("/home")).text)
    assert notice in home and "Ana" in home  # he still sees Ana; he is told why her email does not come
    await portal.log_out()
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    assert notice not in page_text((await portal.get("/home")).text)  # nothing is withheld from her children
    await portal.log_out()

    await give_own_address(district)
    clock.advance(days=1)
    await import_events(tmp_path, [["stu-ana", "sch-maple", "2026-03-11", "", "", "Unexcused Absence", ""]],
                        "wednesday.csv")
    clock.advance(minutes=16)
    await send_due()
    [mail] = await deliver()
    assert (mail.to, mail.subject) == (LUIS_OWN, "Ana was marked absent on Wed, Mar 11")
    assert (await portal.log_in("luis", OTHER_PASSWORD)).status_code == 303
    assert notice not in page_text((await portal.get("/home")).text)


async def test_the_console_warns_that_the_address_is_shared_before_access_is_switched_off(portal, district):
    rosa, sam, ana, cleo = (district.guardian("rosa"), district.guardian("sam"), district.students["ana"],
                            district.students["cleo"])
    await staff_account("MapleOffice", "school-staff", "sch-maple")
    await as_staff(portal, "MapleOffice")
    page = words((await portal.get(f"/staff/students/{ana.public_id}/access/{rosa.public_id}")).text)
    assert "This email address is shared." in page
    assert "Rosa Rivera's email address is also on file for Luis Rivera" in page
    assert "no email about Ana Rivera is sent to that address, to anyone" in page
    alone = words((await portal.get(f"/staff/students/{cleo.public_id}/access/{sam.public_id}")).text)
    assert "This email address is shared." not in alone


@pytest.mark.parametrize("blocked", ["rosa", "luis"])
async def test_an_activation_key_asked_for_through_a_child_is_not_sent_once_access_is_off(
        portal, ana_on_file, deliver, blocked):  # noqa: F811
    """The key for Ana's parent waits in the outbox; access to Ana is switched off for the parent it was
    issued to, or for the other parent who reads the same mailbox: it is not sent."""
    from tests.integration.test_key_request import decide_key_requests, key_requests

    await portal.post("/request-key", details())
    await decide_key_requests()  # the mail worker's half, ahead of the sender: the key is issued, its email waits
    [request] = await key_requests()
    assert request["status"] == "auto-issued"
    await block(ana_on_file, guardian=blocked)
    assert await deliver() == []
    assert [r["kind"] for r in await outbox("cancelled")] == ["activation-key"]


async def test_no_key_is_issued_to_a_mailbox_a_blocked_parent_reads(portal, ana_on_file, deliver):  # noqa: F811
    """Rosa may not see Ana; Luis may, at the same address. A request that matches Luis's details is left for
    staff, who are not offered that address."""
    from tests.integration.test_key_request import key_requests

    await block(ana_on_file, guardian="rosa")
    await portal.post("/request-key", details(requester_name="Luis Rivera", relationship="father"))
    assert await deliver() == []  # the mail worker decides the request (key_requests.decide_online_request)
    [request] = await key_requests()
    assert request["status"] == "pending" and "access is off" in request["decision_reason"]
    await staff_account("MapleOffice", "school-staff", "sch-maple")
    await as_staff(portal, "MapleOffice")
    url = f"/staff/key-requests/{request['public_id']}"
    page = await portal.get(url)
    assert page.status_code == 200 and 'name="guardian"' not in page.text
    assert "Left out: Luis Rivera." in words(page.text)
    forced = await portal.post(url + "/approve", {"guardian": str(ana_on_file.guardian("luis").public_id)})
    assert forced.status_code == 422
    assert await deliver() == []
