"""The demo district (`homeroom demo`): the same district for the same seed, nothing added on a second
run, every case the parent flows need, and never an SSN's digits in the database or the instructions."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict

import pytest

from app.demo import DEMO_PASSWORD, demo_ssn, describe_demo, fill_demo_district
from app.rules.passwords import PasswordPolicy, password_errors
from app.rules.ssn import ssn_digest
from app.services.activation_keys import issue_key_for
from app.services.eligibility import portal_students_of
from app.services.recovery import request_username_reminder
from app.services.sign_in import sign_in
from app.settings import get_settings
from app.services.outgoing_mail import deliver_due
from app.tables import ALL_TABLES, DevMail, GuardianLink, Person, SchoolEnrollment, UserAccount

pytestmark = pytest.mark.usefixtures("clean_database")


async def empty_tables() -> None:
    for table in reversed(ALL_TABLES):
        await table.delete(force=True)


async def district_snapshot() -> dict[str, list]:
    """Everything the seed decides, by sourcedId (row ids and public ids are the database's own)."""
    people = await Person.select(
        Person.source_id, Person.kind, Person.given_name, Person.family_name, Person.email, Person.student_number,
        Person.birth_date, Person.ssn_hash, Person.ssn_last4_hash,
    ).order_by(Person.source_id)
    enrollments = await SchoolEnrollment.select(
        SchoolEnrollment.student.source_id, SchoolEnrollment.school.source_id, SchoolEnrollment.grade,
        SchoolEnrollment.status,
    )
    links = await GuardianLink.select(
        GuardianLink.guardian.source_id, GuardianLink.student.source_id, GuardianLink.relationship,
        GuardianLink.is_guardian, GuardianLink.portal_access,
    )
    accounts = await UserAccount.select(UserAccount.username, UserAccount.person.source_id)
    return {"people": people, "enrollments": sorted(map(str, enrollments)), "links": sorted(map(str, links)),
            "accounts": sorted(map(str, accounts))}


async def active_schools_by_student() -> dict[int, set[int]]:
    schools: dict[int, set[int]] = defaultdict(set)
    for row in await SchoolEnrollment.select().where(SchoolEnrollment.status == "active"):
        schools[row["student"]].add(row["school"])
    return schools


async def test_the_same_seed_gives_the_same_district():
    await fill_demo_district(students=60, seed=7)
    first = await district_snapshot()
    await empty_tables()
    await fill_demo_district(students=60, seed=7)
    assert await district_snapshot() == first
    await empty_tables()
    await fill_demo_district(students=60, seed=8)
    other = await district_snapshot()
    assert [p["given_name"] for p in other["people"]] != [p["given_name"] for p in first["people"]]


async def test_a_second_run_adds_nothing_and_reports_what_is_there():
    created = await fill_demo_district()
    before = await district_snapshot()
    again = await fill_demo_district(students=500, seed=1)
    assert created.created and not again.created
    assert await district_snapshot() == before
    assert dataclasses.replace(again, created=True, key_request=created.key_request) == created
    assert again.key_request is None  # another seed would print an SSN this district does not have


async def test_a_district_larger_than_one_insert_has_exactly_the_students_asked_for():
    summary = await fill_demo_district(students=560, seed=3)
    assert summary.students == 560 and summary.students + summary.guardians > 1000  # two chunks of people
    numbers = [r["student_number"] for r in await Person.select(Person.student_number).where(
        Person.kind == "student")]
    assert len(set(numbers)) == 560 and all(re.fullmatch(r"S1\d{5}", n) for n in numbers)


async def test_forgot_username_for_the_shared_email_lists_both_usernames():
    summary = await fill_demo_district()
    await request_username_reminder(summary.shared_email.upper(), ip="127.0.0.1")
    # The demo's sender (no relay) handles the request and delivers into the dev mailbox.
    demo = dataclasses.replace(get_settings(), smtp_url=None, env="demo")
    assert await deliver_due(demo) == 2
    reminder = await DevMail.objects().first()
    assert reminder is not None and reminder.to_address == summary.shared_email
    assert all(username in reminder.body_text for username in summary.usernames)


async def test_keys_can_be_issued_for_the_suggested_guardians():
    summary = await fill_demo_district()
    assert 2 <= len(summary.key_candidates) <= 3
    assert summary.key_candidates[0].children == 2 and summary.key_candidates[0].schools == 2
    for candidate in summary.key_candidates:
        issued = await issue_key_for(candidate.source_id)
        assert len(issued.key.replace("-", "")) == 32


async def test_the_ready_made_account_signs_in_and_sees_three_children():
    summary = await fill_demo_district()
    assert "demoparent" in summary.usernames
    result = await sign_in("demoparent", DEMO_PASSWORD, ip="127.0.0.1", user_agent="pytest", previous_session=None)
    assert result.session_token and result.role == "guardian"
    account = await UserAccount.objects().where(UserAccount.username == "demoparent").first()
    students = await portal_students_of(account.person)
    assert len(students) == 3
    assert len({e["school_name"] for s in students for e in s["enrollments"]}) == 3


async def test_the_demo_has_spanish_words_for_every_term_name_and_absence_reason_it_uses():
    """Spanish pages of the demo read "Quarter 2" and English absence reasons (a parent tester's find): the demo
    fills the district's translation table as a district would, for every value it writes."""
    from app.services import sis_words
    from app.tables import AcademicSession, AttendanceEvent

    await fill_demo_district(students=20, attendance_events=2000)
    await sis_words.refresh(force=True)
    terms = {r["title"] for r in await AcademicSession.select(AcademicSession.title).where(
        AcademicSession.kind != "schoolYear")}
    reasons = {r["reason"] for r in await AttendanceEvent.select(AttendanceEvent.reason).distinct() if r["reason"]}
    assert terms and reasons
    assert all(sis_words.sis_word("term", t, "es") != t for t in terms), terms
    assert all(sis_words.sis_word("absence-reason", r, "es") != r for r in reasons), reasons
    assert sis_words.sis_word("term", "Quarter 2", "es") == "Segundo trimestre"


async def test_every_demo_person_is_written_with_the_key_staff_search_their_name_by():
    from app.rules.names import person_name_key

    await fill_demo_district(students=20, seed=7)
    people = await Person.select(Person.kind, Person.given_name, Person.family_name, Person.name_key)
    assert {p["kind"] for p in people} == {"student", "guardian", "teacher"}
    assert [p for p in people if p["name_key"] != person_name_key(p["given_name"], p["family_name"])] == []
    assert "joselopez" in {p["name_key"] for p in people}  # José Lopez, a guardian the demo always has


def test_the_demo_password_passes_the_password_rules_even_when_strong():
    for username in ("demoparent", "joselopez"):
        for strong in (False, True):
            policy = PasswordPolicy(6, strong, "Homeroom Demo District")
            assert password_errors(DEMO_PASSWORD, DEMO_PASSWORD, username=username, policy=policy) == []


async def test_no_ssn_digits_are_stored_only_their_keyed_digests():
    seed = 11
    summary = await fill_demo_district(students=60, seed=seed)
    ssns = [demo_ssn(seed, n) for n in range(1, 61)]
    assert all(re.fullmatch(r"9\d{8}", s) for s in ssns) and len(set(ssns)) == 60

    pepper = get_settings().ssn_pepper
    students = await Person.select().where(Person.kind == "student").order_by(Person.source_id)
    with_ssn = [(s, ssn) for s, ssn in zip(students, ssns) if s["ssn_hash"]]
    assert len(with_ssn) > 40
    for student, ssn in with_ssn:
        assert student["ssn_hash"] == ssn_digest(pepper, ssn)
        assert student["ssn_last4_hash"] == ssn_digest(pepper, ssn[-4:])

    everything = " ".join([str(await table.select()) for table in ALL_TABLES])
    spelled = ssns + [f"{s[:3]}-{s[3:5]}-{s[5:]}" for s in ssns]
    assert not [s for s in spelled if s in everything]
    # The instructions print one fake SSN, the showcase child's, so the online key request can be tried.
    printed = re.findall(r"\d{3}-?\d{2}-?\d{4}", describe_demo(summary))
    assert printed == ([summary.key_request.fake_ssn] if summary.key_request else [])


async def test_the_printed_key_request_example_matches_and_emails_the_key_to_the_address_on_file(deliver):
    from datetime import date

    from app.rules.key_requests import KeyRequestDetails
    from app.services.key_requests import request_key_online

    summary = await fill_demo_district(students=60, seed=2026)
    example = summary.key_request
    assert example is not None and example.fake_ssn.startswith("9")
    await request_key_online(KeyRequestDetails(
        requester_name="A parent", relationship="mother", email=example.email_on_file, phone="+14045550100",
        student_number=example.student_number, ssn=example.fake_ssn.replace("-", ""),
        birth_date=date.fromisoformat(example.birth_date)), ip="127.0.0.1", language="en")

    (mail,) = await deliver()
    assert mail.to == example.email_on_file and "activation key" in str(mail.message["Subject"]).lower()


async def test_instructions_after_a_key_is_used_suggest_other_guardians():
    first = await fill_demo_district()
    guardian = await Person.objects().where(Person.source_id == first.key_candidates[0].source_id).first()
    await UserAccount.insert(UserAccount(username="keisha", username_key="keisha", password_hash="x",
                                         person=guardian.id))
    again = await fill_demo_district()
    assert first.key_candidates[0].source_id not in {c.source_id for c in again.key_candidates}
    assert again.key_candidates


async def test_demo_staff_accounts_can_sign_in_to_the_console():
    from app.demo import DEMO_PASSWORD, DEMO_STAFF
    from app.services.sign_in import sign_in

    await fill_demo_district(students=60, seed=2026)
    for username, role, _ in DEMO_STAFF:
        result = await sign_in(username, DEMO_PASSWORD, ip="127.0.0.1", user_agent="test", previous_session=None)
        assert result.role == role


async def test_demo_staff_pass_the_second_step_with_the_printed_secret_or_recovery_code():
    """Issue 14: staff need a second factor; `homeroom demo` prints (demo only) how a newcomer gets in."""
    import pyotp

    from app import clock
    from app.demo import DEMO_PASSWORD, DEMO_RECOVERY_CODES, DEMO_STAFF, DEMO_TOTP_SECRETS, describe_demo
    from app.services.second_factor import verify_second_step
    from app.services.sign_in import sign_in

    summary = await fill_demo_district(students=60, seed=2026)
    printed = describe_demo(summary)
    assert "DEMO ONLY" in printed and DEMO_RECOVERY_CODES[0] in printed
    for username, _, _ in DEMO_STAFF:
        assert DEMO_TOTP_SECRETS[username] in printed
        result = await sign_in(username, DEMO_PASSWORD, ip="127.0.0.1", user_agent="test", previous_session=None)
        assert result.second_step == "code"
        code = pyotp.TOTP(DEMO_TOTP_SECRETS[username]).at(clock.now())
        assert (await verify_second_step(result.account_id, code, ip="127.0.0.1", user_agent="")).ok
        assert (await verify_second_step(result.account_id, DEMO_RECOVERY_CODES[0], ip="127.0.0.1",
                                         user_agent="")).ok


async def test_a_district_left_without_its_school_year_gets_it_on_the_next_run():
    from app.tables import AcademicSession, AttendanceEvent

    await fill_demo_district(students=20, seed=7)
    year_tables = ALL_TABLES[ALL_TABLES.index(AcademicSession):]
    for table in reversed(year_tables):
        await table.delete(force=True)
    await Person.delete().where(Person.kind == "teacher")  # the year writes its teachers with it, in one go
    assert not await AcademicSession.exists()

    await fill_demo_district(students=20, seed=7)

    assert await AcademicSession.exists() and await AttendanceEvent.exists()


async def attendance_rows() -> list[tuple]:
    """Every attendance event by sourcedIds and dates (row ids are the database's own)."""
    from app.tables import AttendanceEvent

    rows = await AttendanceEvent.select(
        AttendanceEvent.source_id, AttendanceEvent.student.source_id.as_alias("student"),
        AttendanceEvent.school.source_id.as_alias("school"), AttendanceEvent.event_date, AttendanceEvent.period,
        AttendanceEvent.section, AttendanceEvent.category, AttendanceEvent.reason,
    )
    return sorted((r["student"], r["event_date"], r["period"], r["school"], r["section"] is None, r["category"],
                   r["reason"], r["source_id"].split("-")[-1]) for r in rows)


async def test_attendance_events_are_topped_up_with_last_years_daily_attendance_only_to_the_target():
    from app.demo import ELEMENTARY, MIDDLE
    from app.demo_year import school_calendar

    await fill_demo_district(students=30, seed=7)
    this_year = await attendance_rows()
    enrollments = await SchoolEnrollment.select(
        SchoolEnrollment.student.source_id.as_alias("student"), SchoolEnrollment.school.source_id.as_alias("school"),
        SchoolEnrollment.grade,
    ).where(SchoolEnrollment.status == "active").order_by(SchoolEnrollment.id)
    now: dict[str, dict] = {}
    for e in enrollments:
        now.setdefault(e["student"], e)  # the first school: where the timetable is
    in_school_last_year = {s for s, e in now.items() if e["grade"] != "KG"}  # kindergarten is their first year
    assert 0 < len(in_school_last_year) < len(now)

    await empty_tables()
    await fill_demo_district(students=30, seed=7, attendance_events=len(this_year))
    assert await attendance_rows() == this_year  # this year's already make the target: nothing added

    await empty_tables()
    per_day = len(in_school_last_year)
    target = len(this_year) + 10 * per_day - 5
    await fill_demo_district(students=30, seed=7, attendance_events=target)
    rows = await attendance_rows()
    first_day = school_calendar(2026).days[0]
    assert [r for r in rows if r[1] >= first_day] == this_year  # the year itself is the same
    earlier = [r for r in rows if r[1] < first_day]
    assert len(rows) >= target > len(rows) - per_day  # whole school days, no more than it takes
    assert len(earlier) == 10 * per_day
    assert sorted({r[1] for r in earlier}) == list(school_calendar(2025).days[-10:])  # last year's last days
    for day in school_calendar(2025).days[-10:]:
        assert sorted(r[0] for r in earlier if r[1] == day) == sorted(in_school_last_year)  # one each
    assert all(r[2] == "" and r[4] for r in earlier)  # daily events, no class periods
    assert all(r[7] == f"{r[1]:%Y%m%d}" for r in earlier)
    present = sum(r[5] == "present" for r in earlier) / len(earlier)
    assert 0.75 < present < 1
    assert {r[5] for r in earlier} <= {"present", "tardy", "excused-absence", "unexcused-absence",
                                      "early-departure"}
    # Last year, a grade lower: sixth graders were at an elementary school, ninth graders at the middle
    # school, the others where they are now.
    for student, _, _, school, *_ in earlier:
        grade = now[student]["grade"]
        expected = ({s.source_id for s in ELEMENTARY} if grade == "06" else {MIDDLE.source_id} if grade == "09"
                    else {now[student]["school"]})
        assert school in expected
    assert any(school != now[student]["school"] for student, _, _, school, *_ in earlier)


async def test_last_years_attendance_never_shows_on_this_years_pages(portal, clock):
    from datetime import datetime, timedelta, timezone

    from app.demo_year import school_calendar
    from app.i18n import format_day
    from app.tables import AcademicSession, AttendanceEvent
    from tests.integration.portal import page_text

    # The second day of the school year: this year has two days of attendance, last year all of its own.
    clock.set(datetime(2025, 8, 12, 14, 0, tzinfo=timezone.utc))
    await fill_demo_district(students=8, seed=2026, attendance_events=10_000)
    this_year, last_year = school_calendar(2026), school_calendar(2025)
    assert this_year.days[:2] == (clock().date() - timedelta(days=1), clock().date())
    assert (await portal.log_in("demoparent", DEMO_PASSWORD)).status_code == 303
    account = await UserAccount.objects().where(UserAccount.username == "demoparent").first()
    terms = await AcademicSession.select().where(AcademicSession.kind == "gradingPeriod")
    assert {t["school_year"] for t in terms} == {2026}

    pages = [page_text((await portal.get("/home")).text)]
    for child in await portal_students_of(account.person):
        events = await AttendanceEvent.select().where(AttendanceEvent.student == child["student_id"])
        days_before = {e["event_date"] for e in events if e["event_date"] < this_year.days[0]}
        assert days_before == set(last_year.days)  # the whole of last year, none shown below
        for term in terms:
            html = (await portal.get(f"/students/{child['public_id']}/attendance?term={term['source_id']}")).text
            days = sum(1 for d in this_year.days[:2] if term["start_date"] <= d <= term["end_date"])
            assert f"({days} school days recorded)" in page_text(html)
            pages.append(page_text(html))
    shown = " ".join(pages)
    # Whole dates only: "Fri, May 2" (last year) is not "Fri, May 22" (this year's last day of a term).
    assert not [d for d in last_year.days if re.search(re.escape(format_day(d)) + r"(?!\d)", shown)]
