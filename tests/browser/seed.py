"""Fill the browser suite's database: one school, a few students and guardians, one existing account, and
activation keys for the guardians who will activate in the browser. Run as a separate process with the
server's environment (`python -m tests.browser.seed OUT.json`); the raw keys go to OUT.json.

The district turns the Strong Password preference on, so the wizard can show that error, and the outbox
holds one email for the dev mailbox."""

from __future__ import annotations

import json
import sys

EXISTING_USERNAME = "marialopez"
EXISTING_PASSWORD = "Marigold-Window-42"
EXISTING_EMAIL = "maria.lopez@example.com"
SPANISH_USERNAME = "RosaLopez"  # the children's grandmother, whose account is in Spanish (issue 13 item 1)
VERIFIED_USERNAME = "PatLopez"  # Maria's co-guardian, who has confirmed the household this school year
# Guardians who get an activation key, by the test that redeems it.
KEY_HOLDERS = ("states", "focus", "keyboard_js", "keyboard_nojs", "language_js")


async def seed() -> dict:
    from tests.browser.seed_staff import seed_staff_console
    from app.database import transaction
    from app.rules.names import person_name_key
    from app.services.activation import create_account_with_key
    from app.services.activation_keys import issue_key
    from app.services.preferences import set_preference
    from app.services.recovery import request_username_reminder
    from app.tables import ActivationKey, GuardianLink, Person, School, SchoolEnrollment

    await set_preference("strong_password", "on")
    school = School(source_id="sch-maple", name="Maple Street Elementary")
    await school.save()

    async def student(number: int, given: str, grade: str) -> Person:
        person = Person(source_id=f"stu-{number}", kind="student", given_name=given, family_name="Lopez",
                        name_key=person_name_key(given, "Lopez"), student_number=f"S{number:05d}")
        await person.save()
        await SchoolEnrollment(student=person.id, school=school.id, grade=grade).save()
        return person

    async def guardian(source_id: str, given: str, email: str, children: list[Person]) -> Person:
        person = Person(source_id=source_id, kind="guardian", given_name=given, family_name="Lopez",
                        name_key=person_name_key(given, "Lopez"), email=email)
        await person.save()
        for child in children:
            await GuardianLink(guardian=person.id, student=child.id).save()
        return person

    ana = await student(1, "Ana", "3")
    luis = await student(2, "Luis", "5")
    maria = await guardian("gua-maria", "Maria", EXISTING_EMAIL, [ana, luis])
    await seed_household(maria, ana, luis)
    # Issue 13 item 6: the grandmother also looks after a kindergartner: three children on her home page.
    sofia = await student(3, "Sofia", "KG")
    rosa = await Person.objects().where(Person.source_id == "gua-rosa").first()
    await GuardianLink(guardian=rosa.id, student=sofia.id).save()
    from app.demo_year import fill_school_year  # schedules, attendance and grades for the records pages

    await fill_school_year(seed=1, households=False)
    await unexcused_absence(ana)
    await weekend_absence(ana)
    await missing_work(ana)
    async with transaction():
        existing_key = await issue_key(maria, how="letter")
    key_id = (await ActivationKey.select(ActivationKey.id).where(ActivationKey.guardian == maria.id).first())["id"]
    created = await create_account_with_key(key_id, EXISTING_USERNAME, EXISTING_PASSWORD, EXISTING_PASSWORD,
                                            ip="127.0.0.1", user_agent="seed", previous_session=None)
    assert created.session_token, (existing_key, created.errors)
    # One email in the outbox before any test runs, for the dev mailbox to list.
    await request_username_reminder(EXISTING_EMAIL, ip="127.0.0.1")

    await seed_staff_console(EXISTING_USERNAME)
    from tests.browser.seed_access import seed_access

    await seed_access(ana, luis)
    from tests.browser.seed_access import seed_correction_request

    await seed_correction_request(ana, EXISTING_USERNAME)
    from tests.browser.seed_alerts import seed_alerts

    alerts = await seed_alerts(EXISTING_USERNAME)

    keys = {}
    for name in KEY_HOLDERS:
        holder = await guardian(f"gua-{name}", name.replace("_", " ").title(), f"{name}@example.com", [ana])
        async with transaction():
            keys[name] = (await issue_key(holder, how="letter")).key
    return {"keys": keys, "username": EXISTING_USERNAME, "password": EXISTING_PASSWORD, "email": EXISTING_EMAIL,
            "students": ["Ana Lopez", "Luis Lopez"], **alerts}


async def unexcused_absence(student) -> None:
    """The student's last school day before today becomes an unexcused absence, so the attendance page shows
    its next step (issue 13 item 6)."""
    from app import clock
    from app.tables import AttendanceEvent

    last = await AttendanceEvent.select(AttendanceEvent.event_date).where(
        (AttendanceEvent.student == student.id) & (AttendanceEvent.period == "")
        & (AttendanceEvent.event_date < clock.now().date())).order_by(AttendanceEvent.event_date, ascending=False).first()
    if last:
        await AttendanceEvent.update({AttendanceEvent.category: "unexcused-absence", AttendanceEvent.reason: ""}).where(
            (AttendanceEvent.student == student.id) & (AttendanceEvent.event_date == last["event_date"]))


async def weekend_absence(student) -> None:
    """An absence the SIS recorded on the last Saturday: shown on home and the attendance page, not counted
    (a tester's find, issue 13: it was counted as a school day's)."""
    from datetime import timedelta

    from app import clock
    from app.tables import AttendanceEvent, SchoolEnrollment

    today = clock.now().date()
    saturday = today - timedelta(days=(today.weekday() - 5) % 7 or 7)
    school = (await SchoolEnrollment.select(SchoolEnrollment.school).where(
        SchoolEnrollment.student == student.id).first())["school"]
    await AttendanceEvent(source_id=f"seed-weekend-{student.id}", student=student.id, school=school,
                          event_date=saturday, period="", category="unexcused-absence").save()


async def missing_work(student) -> None:
    """The student's latest graded assignment is marked missing, so home and grades show missing work."""
    from app.tables import Result

    latest = await Result.select(Result.id).where(Result.student == student.id).order_by(
        Result.line_item.due_date, ascending=False).where(Result.score.is_not_null()).first()
    if latest:
        await Result.update({Result.missing: True, Result.exempt: False, Result.score: 0}).where(
            Result.id == latest["id"])


async def seed_household(guardian, *children) -> None:
    """The household pages' data (issue 3): an address, the family, one phone of the guardian's; and a
    second guardian of the family, VERIFIED_USERNAME, who has already confirmed it this school year (the
    walk visits both states without pressing "This is correct", which works once a year)."""
    from app import clock
    from app.database import transaction
    from app.rules.names import person_name_key
    from app.rules.school_year import school_year_of
    from app.services.activation import create_account_with_key
    from app.services.activation_keys import issue_key
    from app.tables import (ActivationKey, ContactPhone, GuardianLink, Household, HouseholdMember,
                            HouseholdVerification, Person, UserAccount)

    household = Household(source_id="hh-lopez", name="Lopez", address_line1="12 Maple Street", city="Atlanta",
                          state="GA", postal_code="30303")
    await household.save()
    await ContactPhone(person=guardian.id, kind="mobile", number="+14045550101").save()
    pat = Person(source_id="gua-pat", kind="guardian", given_name="Pat", family_name="Lopez",
                 name_key=person_name_key("Pat", "Lopez"), email="pat.lopez@example.com")
    await pat.save()
    await HouseholdMember(household=household.id, person=guardian.id).save()
    for child in children:
        await HouseholdMember(household=household.id, person=child.id).save()

    async def family_account(person, username: str, language: str) -> None:
        await HouseholdMember(household=household.id, person=person.id).save()
        for child in children:
            await GuardianLink(guardian=person.id, student=child.id).save()
        async with transaction():
            await issue_key(person, how="letter")
        key_id = (await ActivationKey.select(ActivationKey.id).where(ActivationKey.guardian == person.id).first())["id"]
        created = await create_account_with_key(key_id, username, EXISTING_PASSWORD, EXISTING_PASSWORD,
                                                ip="127.0.0.1", user_agent="seed", previous_session=None,
                                                language=language)
        assert created.session_token, created.errors

    await family_account(pat, VERIFIED_USERNAME, "en")
    account = (await UserAccount.select(UserAccount.id).where(UserAccount.person == pat.id).first())["id"]
    await HouseholdVerification(household=household.id, account=account,
                                school_year=school_year_of(clock.now().date())).save()
    rosa = Person(source_id="gua-rosa", kind="guardian", given_name="Rosa", family_name="Lopez",
                  name_key=person_name_key("Rosa", "Lopez"), email="rosa.lopez@example.com")
    await rosa.save()
    await family_account(rosa, SPANISH_USERNAME, "es")


def main(out_path: str) -> int:
    from app.cli import _run

    async def go():
        result = await seed()
        with open(out_path, "w") as out:
            json.dump(result, out)

    return _run(go())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
