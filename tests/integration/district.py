"""A small district built through the tables, and keys issued by the real service.

Two schools; the Rivera family (two children at two schools, two guardians who share one email address),
the Park family (one child), a guardian without portal access, and a guardian whose only child has left.
Every secret made here is registered with the leak scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.integration import leaks

PASSWORD = "Lantern harbor 42"
OTHER_PASSWORD = "Quiet meadow 97"
SSN = "123-45-6789"
SHARED_EMAIL = "rivera.family@example.org"

@dataclass
class District:
    schools: dict[str, object] = field(default_factory=dict)
    students: dict[str, object] = field(default_factory=dict)
    guardians: dict[str, object] = field(default_factory=dict)

    def guardian(self, name: str):
        return self.guardians[name]


async def build_district() -> District:
    from app.rules.names import person_name_key
    from app.rules.ssn import normalise_ssn, ssn_digest
    from app.settings import get_settings
    from app.tables import GuardianLink, Person, School, SchoolEnrollment

    for secret in (PASSWORD, OTHER_PASSWORD):
        leaks.remember(secret, leaks.PASSWORD)
    leaks.remember(SSN, leaks.SSN)
    leaks.remember(SSN.replace("-", ""), leaks.SSN)

    district = District()
    for source_id, name in (("sch-maple", "Maple Street Elementary"), ("sch-oak", "Oak Ridge Middle")):
        school = School(source_id=source_id, name=name)
        await school.save()
        district.schools[source_id] = school

    pepper = get_settings().ssn_pepper

    async def student(key: str, given: str, family: str, school: str, grade: str, status: str = "active"):
        person = Person(source_id=f"stu-{key}", kind="student", given_name=given, family_name=family,
                        name_key=person_name_key(given, family), student_number=f"S-{key}", ssn_hash=ssn_digest(pepper, normalise_ssn(SSN)) if key == "ana"
                        else None)
        await person.save()
        await SchoolEnrollment(student=person.id, school=district.schools[school].id, grade=grade,
                               status=status).save()
        district.students[key] = person
        return person

    async def guardian(key: str, given: str, family: str, email: str | None, children: list,
                       portal_access: bool = True):
        person = Person(source_id=f"gua-{key}", kind="guardian", given_name=given, family_name=family,
                        name_key=person_name_key(given, family), email=email)
        await person.save()
        for child in children:
            await GuardianLink(guardian=person.id, student=child.id, portal_access=portal_access).save()
        district.guardians[key] = person
        return person

    ana = await student("ana", "Ana", "Rivera", "sch-maple", "3")
    ben = await student("ben", "Benito", "Rivera", "sch-oak", "7")
    cleo = await student("cleo", "Cleo", "Park", "sch-maple", "1")
    gone = await student("dara", "Dara", "Moss", "sch-oak", "8", status="inactive")
    await guardian("rosa", "Rosa", "Rivera", SHARED_EMAIL, [ana, ben])
    await guardian("luis", "Luis", "Rivera", SHARED_EMAIL, [ana, ben])
    await guardian("sam", "Sam", "Park", "sam.park@example.org", [cleo])
    await guardian("noportal", "Nora", "Park", "nora.park@example.org", [cleo], portal_access=False)
    await guardian("gone", "Gail", "Moss", "gail.moss@example.org", [gone])
    return district


async def issue_key(guardian, how: str = "letter") -> str:
    """A fresh activation key for a guardian (revokes their older unused keys), as the CLI issues it (a letter),
    or as staff hand it over at the office (`in-person`)."""
    from app.database import transaction
    from app.services.activation_keys import issue_key as issue

    async with transaction():
        issued = await issue(guardian, how=how)
    return leaks.remember_key(issued.key)


async def key_id(key: str) -> int:
    from app.rules.activation_keys import key_digest, normalise_key
    from app.tables import ActivationKey

    row = await ActivationKey.select(ActivationKey.id).where(
        ActivationKey.key_hash == key_digest(normalise_key(key))).first()
    return row["id"]


async def make_account(guardian, username: str, password: str = PASSWORD) -> int:
    """An account made the way a parent makes one (key, then the service that redeems it). The key is handed over
    at the office, so a home or mailbox the guardian shares with one whose access is off does not stand in the
    way (app/services/key_reach.py)."""
    from app.services.activation import create_account_with_key
    from app.tables import UserAccount

    key = await issue_key(guardian, how="in-person")
    leaks.remember(password, leaks.PASSWORD)
    created = await create_account_with_key(await key_id(key), username, password, password, ip="127.0.0.1",
                                            user_agent="district factory", previous_session=None)
    assert created.session_token, created.errors
    leaks.remember(created.session_token, leaks.SESSION)
    row = await UserAccount.select(UserAccount.id).where(UserAccount.username == username).first()
    return row["id"]
