"""The browser suite's data for portal access per link (issue 11): a guardian of Ana's whose access the walk
switches off in the console, and, for the restraining-order scenario, one signed-up parent of Ana and Luis
per run (JavaScript on and off), each with an email address of their own. Called by seed.py."""

from __future__ import annotations

SCENARIO_PASSWORD = "Harbor-Lantern-93"
BLOCKED_IN_WALK = "Court Lopez"  # the walk's "console, portal access switched off" acts on this guardian
SCENARIO_PARENTS = {True: "orderjs", False: "ordernojs"}  # by page.javascript
# A mailbox two guardians of Ana share, one of whom may not see her (issue 11): the other (signed up as
# SHARED_MAILBOX_USERNAME) is told at home to add an address of their own; the console warns on Dale's link.
SHARED_MAILBOX_USERNAME = "sharedmailbox"
SHARED_MAILBOX_BLOCKED = "Dale Lopez"


def scenario_email(username: str) -> str:
    return f"{username}@example.com"


async def seed_access(ana, luis) -> None:
    from app.database import transaction
    from app.rules.names import person_name_key
    from app.services.activation import create_account_with_key
    from app.services.activation_keys import issue_key
    from app.tables import ActivationKey, GuardianLink, Person

    court = Person(source_id="gua-court", kind="guardian", given_name="Court", family_name="Lopez",
                   name_key=person_name_key("Court", "Lopez"), email="court@example.com")
    await court.save()
    await GuardianLink(guardian=court.id, student=ana.id, relationship="father").save()
    shared = "lopez.household@example.com"
    dale = Person(source_id="gua-dale", kind="guardian", given_name="Dale", family_name="Lopez",
                  name_key=person_name_key("Dale", "Lopez"), email=shared)
    await dale.save()
    await GuardianLink(guardian=dale.id, student=ana.id, relationship="father").save()
    from app.services.access import block_access

    assert (await block_access("gua-dale", ana.source_id, "court-order", "2026-CV-0999")).done == "blocked"
    for username, email in ((SHARED_MAILBOX_USERNAME, shared),
                            *((u, scenario_email(u)) for u in SCENARIO_PARENTS.values())):
        parent = Person(source_id=f"gua-{username}", kind="guardian", given_name=username.title(),
                        family_name="Lopez", name_key=person_name_key(username.title(), "Lopez"), email=email)
        await parent.save()
        for child in (ana, luis) if username in SCENARIO_PARENTS.values() else (ana,):
            await GuardianLink(guardian=parent.id, student=child.id, relationship="father").save()
        async with transaction():
            await issue_key(parent, how="in-person")  # at the office: a letter to the shared mailbox would be refused (Dale reads it)
        key_id = (await ActivationKey.select(ActivationKey.id).where(ActivationKey.guardian == parent.id).first())["id"]
        created = await create_account_with_key(key_id, username, SCENARIO_PASSWORD, SCENARIO_PASSWORD,
                                                ip="127.0.0.1", user_agent="seed", previous_session=None)
        assert created.session_token, created.errors


async def seed_correction_request(ana, maria_username: str) -> None:
    """One open correction request in the console's queue (issue 11 item 3): Maria about one of Ana's
    attendance events."""
    from app import clock
    from app.tables import AttendanceEvent, CorrectionRequest, SchoolEnrollment, UserAccount

    maria = await UserAccount.select(UserAccount.id, UserAccount.person).where(
        UserAccount.username == maria_username).first()
    event = await AttendanceEvent.select(AttendanceEvent.id, AttendanceEvent.event_date).where(
        AttendanceEvent.student == ana.id).first()
    school = await SchoolEnrollment.select(SchoolEnrollment.school).where(SchoolEnrollment.student == ana.id).first()
    await CorrectionRequest(account=maria["id"], guardian=maria["person"], student=ana.id, school=school["school"],
                            kind="attendance", record_id=event["id"] if event else 0,
                            record_text=f"{event['event_date'] if event else '2026-03-02'}, the whole day: Tardy",
                            message="She was on time; the bus log shows 7:50.", status="open",
                            created_at=clock.now()).save()
