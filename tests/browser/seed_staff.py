"""The school office's part of the browser suite's data (issue 4): a district admin who walks every console
page, a guardian with no account who comes in person for a key, a waiting key request and a waiting
address change. Called by seed.py after the family and its household exist."""

from __future__ import annotations

STAFF_USERNAME = "OfficeAdmin"
STAFF_PASSWORD = "Copper-Kettle-58"


async def seed_staff_console(maria_username: str) -> None:
    from app import clock
    from app.services.staff_console import create_staff_account
    from app.tables import GuardianLink, Household, HouseholdChangeRequest, KeyRequest, Person, UserAccount

    assert await create_staff_account(STAFF_USERNAME, STAFF_PASSWORD, "district-admin", None) == []
    ana = await Person.objects().where(Person.source_id == "stu-1").first()
    walk_in = Person(source_id="gua-walkin", kind="guardian", given_name="Walkin", family_name="Lopez",
                     email="walkin@example.com")
    await walk_in.save()
    await GuardianLink(guardian=walk_in.id, student=ana.id, relationship="aunt").save()
    await KeyRequest(requester_name="Rosa Lopez", relationship="grandmother", requester_email="rosa@example.com",
                     requester_phone="+14045550199", student_number=ana.student_number, student=ana.id,
                     matched_student_number=True, matched_ssn=True, matched_birth_date=False,
                     matched_email_on_file=False, created_at=clock.now()).save()
    household = await Household.objects().where(Household.source_id == "hh-lopez").first()
    maria = await UserAccount.select(UserAccount.id).where(UserAccount.username == maria_username).first()
    await HouseholdChangeRequest(household=household.id, requested_by=maria["id"], address_line1="48 Peachtree Road",
                                 city="Atlanta", state="GA", postal_code="30303").save()
