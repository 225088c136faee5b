"""The school office's part of the browser suite's data (issue 4): a district admin who walks every console
page, a guardian with no account who comes in person for a key, a waiting key request and a waiting
address change. Called by seed.py after the family and its household exist."""

from __future__ import annotations

STAFF_USERNAME = "OfficeAdmin"
STAFF_PASSWORD = "Copper-Kettle-58"
# Issue 14: OfficeAdmin has an authenticator app; the walk's console states bring a browser it trusted (so
# they need no code), and the second-step states come without it. NewStaff has no app yet (enrolment).
# TessaLopez is a parent with an app and a trusted browser (the account's second-step pages, and the
# console's "remove the second step").
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
STAFF_TRUST_TOKEN = "walk-trusted-browser-of-officeadmin-0123456789abcdef"
NEW_STAFF_USERNAME = "NewStaff"
TESSA_USERNAME = "TessaLopez"
TESSA_PASSWORD = "Tulip-Garden-61"
TESSA_TRUST_TOKEN = "walk-trusted-browser-of-tessalopez-0123456789abcdef"
TRUSTED_COOKIE = "homeroom_trusted"  # app/web/session_cookie.py's name outside production


def trusted_cookie(token: str, base_url: str) -> dict:
    """For BrowserContext.add_cookies: the browser the seed trusted for this token's account."""
    return {"name": TRUSTED_COOKIE, "value": token, "url": base_url}


async def seed_staff_console(maria_username: str) -> None:
    from app import clock
    from app.rules.names import person_name_key
    from app.services.staff_accounts import create_staff_account
    from app.tables import GuardianLink, Household, HouseholdChangeRequest, KeyRequest, Person, UserAccount

    assert await create_staff_account(STAFF_USERNAME, STAFF_PASSWORD, "district-admin", None) == []
    assert await create_staff_account(NEW_STAFF_USERNAME, STAFF_PASSWORD, "school-staff", "sch-maple") == []
    ana = await Person.objects().where(Person.source_id == "stu-1").first()
    walk_in = Person(source_id="gua-walkin", kind="guardian", given_name="Walkin", family_name="Lopez",
                     name_key=person_name_key("Walkin", "Lopez"), email="walkin@example.com")
    await walk_in.save()
    # What Ed-Fi says of the link (the console shows it); Ana's mother's link has no such facts ("not given").
    await GuardianLink(guardian=walk_in.id, student=ana.id, relationship="aunt", primary_contact=False,
                       lives_with=False).save()
    from app.services.key_requests import PAST_LIMIT  # why the portal left it to staff (shown to them)

    await KeyRequest(requester_name="Rosa Lopez", relationship="grandmother", requester_email="rosa@example.com",
                     requester_phone="+14045550199", student_number=ana.student_number, student=ana.id,
                     matched_student_number=True, matched_ssn=True, matched_birth_date=False,
                     matched_email_on_file=False, created_at=clock.now(), decision_reason=PAST_LIMIT).save()
    household = await Household.objects().where(Household.source_id == "hh-lopez").first()
    maria = await UserAccount.select(UserAccount.id).where(UserAccount.username == maria_username).first()
    await HouseholdChangeRequest(household=household.id, requested_by=maria["id"], address_line1="48 Peachtree Road",
                                 city="Atlanta", state="GA", postal_code="30303").save()
    await seed_second_factors(ana)


async def seed_second_factors(ana) -> None:
    from datetime import timedelta

    from app import clock
    from app.rules.names import person_name_key
    from app.rules.tokens import token_digest
    from app.rules.usernames import username_key
    from app.services.password_hashing import hashing
    from app.tables import GuardianLink, Person, TrustedBrowser, UserAccount
    from tests.second_factor import give_authenticator

    tessa = Person(source_id="gua-tessa", kind="guardian", given_name="Tessa", family_name="Lopez",
                   name_key=person_name_key("Tessa", "Lopez"), email="tessa@example.com")
    await tessa.save()
    await GuardianLink(guardian=tessa.id, student=ana.id, relationship="aunt").save()
    rows = await UserAccount.insert(UserAccount(username=TESSA_USERNAME, username_key=username_key(TESSA_USERNAME),
                                                password_hash=await hashing().hash(TESSA_PASSWORD), person=tessa.id,
                                                role="guardian")).returning(UserAccount.id)
    office = await UserAccount.select(UserAccount.id).where(UserAccount.username == STAFF_USERNAME).first()
    for account_id, token in ((office["id"], STAFF_TRUST_TOKEN), (rows[0]["id"], TESSA_TRUST_TOKEN)):
        await give_authenticator(account_id, STAFF_TOTP_SECRET)
        await TrustedBrowser.insert(TrustedBrowser(token_hash=token_digest(token), account=account_id,
                                                   expires_at=clock.now() + timedelta(days=30)))
