""""Ask the school to correct this" (issue 11 item 3; FERPA 34 CFR 99.20): a parent points at a record on a
records page and says what is wrong; it lands in the queue of the student's school with the record attached;
staff answer and the parent is emailed — but not when the parent may no longer see the student."""

from __future__ import annotations

import re

import pytest

from tests.integration.district import PASSWORD, SHARED_EMAIL
from tests.integration.portal import error_messages, page_text
from tests.integration.test_access import block, school_year  # noqa: F401  (a fixture)
from tests.integration.test_staff_console import as_staff, events, staff_account


@pytest.fixture
async def rosa(portal, school_year):  # noqa: F811
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    return portal


async def first_choice(portal, url: str) -> tuple[str, str]:
    form = await portal.get(url)
    assert form.status_code == 200, url
    value, text = re.search(r'<option value="(\d+)"[^>]*>([^<]+)</option>', form.text).groups()
    return value, text


async def requests() -> list[dict]:
    from app.tables import CorrectionRequest

    return await CorrectionRequest.select().order_by(CorrectionRequest.id)


async def test_a_parent_asks_and_the_school_answers_by_email(rosa, district, deliver):
    ana = district.students["ana"]
    attendance = await rosa.get(f"/students/{ana.public_id}/attendance")
    assert f'href="/students/{ana.public_id}/corrections/attendance"' in attendance.text
    url = f"/students/{ana.public_id}/corrections/attendance"
    record, text = await first_choice(rosa, url)

    empty = await rosa.post(url, {"record": "", "message": ""})
    assert empty.status_code == 422
    assert error_messages(empty.text) == ["Choose the record that is wrong", "Say what is wrong and what it should be"]
    # A right-to-left override in what a parent types is taken out: staff read it in a list (issue 13).
    sent = await rosa.post(url, {"record": record, "message": "She was at the dentist;\u202e I sent a note."})
    assert sent.status_code == 303 and sent.headers["location"] == "/corrections/sent"
    assert "Request sent to the school" in page_text((await rosa.get("/corrections/sent")).text)
    [request] = await requests()
    assert (request["kind"], request["student"], request["school"], request["status"]) == (
        "attendance", ana.id, district.schools["sch-maple"].id, "open")
    assert request["record_text"] == text.replace("&#39;", "'") or request["record_text"]
    assert len(await events("correction.requested")) == 1
    assert request["message"] == "She was at the dentist; I sent a note."
    await rosa.log_out()

    await staff_account("OakOffice", "school-staff", "sch-oak")
    await staff_account("MapleOffice", "school-staff", "sch-maple")
    await as_staff(rosa, "OakOffice")  # Benito's school, not Ana's: the request is not theirs
    assert "No correction requests are waiting" in page_text((await rosa.get("/staff/corrections")).text)
    assert (await rosa.get(f"/staff/corrections/{request['public_id']}")).status_code == 404
    await rosa.log_out()

    await as_staff(rosa, "MapleOffice")
    queue = await rosa.get("/staff/corrections")
    assert "Ana Rivera" in page_text(queue.text)
    detail = await rosa.get(f"/staff/corrections/{request['public_id']}")
    assert "I sent a note" in detail.text
    answer_url = f"/staff/corrections/{request['public_id']}/answer"
    no_reason = await rosa.post(answer_url, {"outcome": "not-changed", "reason": ""})
    assert no_reason.status_code == 422 and error_messages(no_reason.text) == [
        "Say why the record stays as it is: the parent reads this"]
    done = await rosa.post(answer_url, {"outcome": "not-changed", "reason": "The nurse's log shows her in class."})
    assert done.status_code == 303 and done.headers["location"] == "/staff/corrections?notice=emailed"
    [mail] = await deliver()
    assert SHARED_EMAIL in mail.to and "correction" in mail.subject.lower()
    assert "The nurse's log shows her in class." in mail.text and "did not change it" in mail.text
    assert (await requests())[0]["status"] == "not-changed"
    again = await rosa.post(answer_url, {"outcome": "corrected", "reason": ""})
    assert again.status_code == 422  # answered once


async def test_no_email_about_a_child_the_parent_may_no_longer_see(rosa, district, deliver):
    ana = district.students["ana"]
    url = f"/students/{ana.public_id}/corrections/term-grade"
    record, _ = await first_choice(rosa, url)
    assert (await rosa.post(url, {"record": record, "message": "The grade should be a B."})).status_code == 303
    await block(district)  # a restraining order arrives before the school answers
    assert (await rosa.get(url)).status_code == 404
    await rosa.log_out()
    await staff_account("MapleOffice", "school-staff", "sch-maple")
    await as_staff(rosa, "MapleOffice")
    [request] = await requests()
    done = await rosa.post(f"/staff/corrections/{request['public_id']}/answer", {"outcome": "corrected", "reason": ""})
    assert done.headers["location"] == "/staff/corrections?notice=not-emailed"
    assert await deliver() == []
    [event] = await events("correction.corrected")
    assert "emailed=no" in event["detail"]


async def test_only_the_students_own_records_and_only_ones_own_students(rosa, district):
    from app.tables import AttendanceEvent

    ana, cleo = district.students["ana"], district.students["cleo"]
    assert (await rosa.get(f"/students/{cleo.public_id}/corrections/attendance")).status_code == 404
    assert (await rosa.get(f"/students/{ana.public_id}/corrections/nonsense")).status_code == 404
    assert (await rosa.get(f"/students/{ana.public_id}/corrections/household")).status_code == 404
    cleos = await AttendanceEvent.select(AttendanceEvent.id).where(AttendanceEvent.student == cleo.id).first()
    if cleos:
        wrong = await rosa.post(f"/students/{ana.public_id}/corrections/attendance",
                                {"record": str(cleos["id"]), "message": "This is not right at all."})
        assert wrong.status_code == 422 and error_messages(wrong.text) == ["Choose the record that is wrong"]
    huge = await rosa.post(f"/students/{ana.public_id}/corrections/attendance",
                           {"record": "99999999999999999999", "message": "x" * 2000})
    assert huge.status_code == 422
    assert await requests() == []


async def test_scores_and_the_household_address(rosa, district):
    ana = district.students["ana"]
    record, text = await first_choice(rosa, f"/students/{ana.public_id}/corrections/score")
    assert " out of " in text or "missing" in text or "not graded" in text or "exempt" in text
    sent = await rosa.post(f"/students/{ana.public_id}/corrections/score",
                           {"record": record, "message": "I have the graded paper: 9 out of 10."})
    assert sent.status_code == 303
    household = await rosa.get("/household")
    assert 'href="/household/corrections"' in household.text
    record, text = await first_choice(rosa, "/household/corrections")
    assert text.startswith("Household address: ")  # her household, as the household page shows it
    sent = await rosa.post("/household/corrections", {"record": record, "message": "We moved to 40 Oak Lane."})
    assert sent.status_code == 303
    kinds = [(r["kind"], r["student"], r["school"]) for r in await requests()]
    assert kinds == [("score", ana.id, district.schools["sch-maple"].id),
                     ("household", None, district.schools["sch-maple"].id)]


async def test_every_email_to_a_parent_says_nothing_of_the_blocked_child_and_keeps_the_other(rosa, district,
                                                                                             deliver):
    """Every kind of email a signed-up parent can get, with access to Ana off and to Benito on."""
    from app.mail.outbox import SUBJECTS
    from app.tables import OutboxEmail
    from tests.integration import leaks

    ana, ben = district.students["ana"], district.students["ben"]
    ana_url, ben_url = (f"/students/{s.public_id}/corrections/attendance" for s in (ana, ben))
    ana_record, _ = await first_choice(rosa, ana_url)
    ben_record, _ = await first_choice(rosa, ben_url)
    for url, record in ((ana_url, ana_record), (ben_url, ben_record)):
        assert (await rosa.post(url, {"record": record, "message": "This day is wrong."})).status_code == 303
    await block(district)

    new_password = "Silver canyon 31"
    leaks.remember(new_password, leaks.PASSWORD)
    assert (await rosa.post("/household/phones/new", {"kind": "mobile", "number": "404-555-0177",
                                                      "current_password": PASSWORD})).status_code == 303
    assert (await rosa.post("/household/email", {"email": "rosa.r@example.net",
                                                 "current_password": PASSWORD})).status_code == 303
    await _sign_in_changed_email("rosa")  # issue 14's "how you log in changed"
    assert (await rosa.post("/account/password", {"current_password": PASSWORD, "password": new_password,
                                                  "verify_password": new_password})).status_code == 303
    await rosa.log_out()
    await rosa.post("/forgot-password", {"identifier": "rosa"})
    for _ in range(6):  # the 6th locks the accounts, and the address is told (issue 9)
        await rosa.post("/forgot-username", {"email": SHARED_EMAIL})
    await staff_account("DistrictAdmin", "district-admin", None)
    await as_staff(rosa, "DistrictAdmin")
    for request in await requests():
        await rosa.post(f"/staff/corrections/{request['public_id']}/answer", {"outcome": "corrected", "reason": ""})

    mail = await deliver()  # the worker also answers the recovery requests, whose emails go out next
    mail += await deliver()
    kinds = {r["kind"] for r in await OutboxEmail.select(OutboxEmail.kind)}
    # Every kind that goes to a signed-up parent (activation-key and key-request-denied go to people without
    # an account; absence alerts and digests are walked by the alerts' own tests, through the same rule).
    to_parents = {"password-reset", "password-changed", "username-reminder", "phone-changed", "email-change-confirm",
                  "email-change-requested", "correction-answered"}
    assert to_parents <= set(SUBJECTS) and to_parents <= kinds, to_parents - kinds
    for message in mail:
        text = message.message.as_string()
        for token in re.findall(r"http://portal\.test/(?:reset|email/confirm)/(\S+)", message.text):
            leaks.remember(token, leaks.TOKEN)
        assert "Ana" not in message.text and str(ana.public_id) not in text, message.subject
    about_ben = [m for m in mail if "Benito" in m.text]
    assert len(about_ben) == 1 and "correction" in about_ben[0].subject.lower()


async def _sign_in_changed_email(username: str) -> None:
    """The parent turns on an authenticator app and makes new recovery codes: one email of that kind."""
    from app.services.second_factor import new_recovery_codes_for
    from app.tables import UserAccount
    from tests.second_factor import give_authenticator

    account = await UserAccount.select(UserAccount.id).where(UserAccount.username == username).first()
    await give_authenticator(account["id"])
    assert (await new_recovery_codes_for(account["id"], PASSWORD, ip="127.0.0.1")).recovery_codes
