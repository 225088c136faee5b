"""Staff finding a student or guardian (docs/design.md §5) and opening their page; every opened page is
recorded in the audit log with the staff account as the actor."""

from __future__ import annotations

from uuid import UUID

from app import clock
from app.rules.key_requests import normalise_student_number, student_number_spellings
from app.rules.names import search_key
from app.services import audit
from app.services.access import guardians_who_may_see, may_see
from app.services.eligibility import is_eligible_guardian
from app.services.second_factor import has_second_factor
from app.services.sessions import SignedInAccount
from app.services.sign_in import sign_in_blocked_until
from app.services.staff_scope import (name_has_all_or, people_in_scope, person_for_staff, sees_all_schools,
                                      students_at_school, within)
from app.tables import ActivationKey, AuditEvent, GuardianLink, Person, SchoolEnrollment, UserAccount

SIGN_IN_ACTIONS = ("login.succeeded", "login.failed", "login.refused-locked", "login.throttled", "logout")
MOST_FOUND = 50


async def find_people(staff: SignedInAccount, typed: str) -> dict[str, list[dict] | bool]:
    """Students by name or student number, guardians by name or email, within the staff member's scope: at most
    MOST_FOUND of each ("students", "guardians"), the people whose whole name is what was typed first (in either
    order: "Nunez Jose" is José Núñez), then by family and given name; "more_students" and "more_guardians" say
    whether more matched than are shown (a clerk searching "Nguyen" saw 50 with no word that 70 more were left
    out: a tester's find). A name matches without regard to case, accents or punctuation
    (staff_scope.name_has_all_or)."""
    if not typed.strip():
        return {"students": [], "guardians": [], "more_students": False, "more_guardians": False}
    keys = [key for key in (search_key(word) for word in typed.split()) if key]
    whole = {"".join(keys), "".join(reversed(keys))} if keys else set()
    found: dict[str, list[dict] | bool] = {}
    columns = (Person.id, Person.public_id, Person.given_name, Person.family_name, Person.student_number,
               Person.email, Person.name_key)
    for kind, also in (("student", Person.student_number.is_in(student_number_spellings(normalise_student_number(typed)))),
                       ("guardian", Person.email == typed.strip().lower())):
        query = Person.select(*columns).where((Person.kind == kind) & name_has_all_or(typed, also))
        rows = await within(query, people_in_scope(staff, kind)).order_by(Person.family_name).order_by(
            Person.given_name).limit(MOST_FOUND + 1)
        if len(rows) > MOST_FOUND and whole:  # the whole name's people may be past the first page: read them too
            exact = within(Person.select(*columns).where(
                (Person.kind == kind) & Person.name_key.is_in(sorted(whole))), people_in_scope(staff, kind))
            rows = [*await exact.limit(MOST_FOUND), *rows]
        shown: dict = {}
        for row in sorted(rows, key=lambda r: r["name_key"] not in whole):  # stable: the order above stays
            shown.setdefault(row["public_id"], row)
        found[f"{kind}s"] = list(shown.values())[:MOST_FOUND]
        found[f"more_{kind}s"] = len(shown) > MOST_FOUND
    # Each student's schools and grades, so twenty "Bao Nguyen" can be told apart (a tester's find): one read.
    students = {s["id"]: s for s in found["students"]}
    for s in students.values():
        s["enrollments"] = []
    if students:
        for e in await SchoolEnrollment.select(
                SchoolEnrollment.student, SchoolEnrollment.school.name.as_alias("school_name"), SchoolEnrollment.grade,
        ).where(SchoolEnrollment.student.is_in(list(students)) & (SchoolEnrollment.status == "active")).order_by(
                SchoolEnrollment.id):
            students[e["student"]]["enrollments"].append(e)
    return found


async def student_for_staff(staff: SignedInAccount, public_id: UUID, *, ip: str) -> dict | None:
    student = await person_for_staff(staff, public_id, "student")
    if student is None:
        return None
    enrollments = await SchoolEnrollment.select(
        SchoolEnrollment.school.name.as_alias("school_name"), SchoolEnrollment.grade, SchoolEnrollment.status,
    ).where(SchoolEnrollment.student == student.id)
    guardians = await GuardianLink.select(
        GuardianLink.guardian.public_id.as_alias("public_id"),
        GuardianLink.guardian.given_name.as_alias("given_name"),
        GuardianLink.guardian.family_name.as_alias("family_name"),
        GuardianLink.guardian.email.as_alias("email"), GuardianLink.guardian.id.as_alias("guardian_id"),
        GuardianLink.relationship, GuardianLink.is_guardian, GuardianLink.portal_access,
        GuardianLink.primary_contact, GuardianLink.lives_with,
    ).where(GuardianLink.student == student.id).order_by(GuardianLink.id)
    allowed = set(await guardians_who_may_see(student.id))
    for link in guardians:
        link["access_on"] = link["guardian_id"] in allowed  # today: flags, restrictions, the 18th birthday
    await audit.record("staff.viewed-student", actor=staff.id, person=student.id, ip=ip)
    return {"student": student, "enrollments": enrollments, "guardians": guardians}


async def guardian_for_staff(staff: SignedInAccount, public_id: UUID, *, ip: str) -> dict | None:
    """A guardian's page. School staff see only the guardian's children at their own school (a child at
    another school is not theirs to see: issue 11), and the page says so; district admins see every child."""
    guardian = await person_for_staff(staff, public_id, "guardian")
    if guardian is None:
        return None
    own_school_only = not sees_all_schools(staff)
    students = await within(GuardianLink.select(
        GuardianLink.student.public_id.as_alias("public_id"),
        GuardianLink.student.given_name.as_alias("given_name"),
        GuardianLink.student.family_name.as_alias("family_name"),
        GuardianLink.student.student_number.as_alias("student_number"),
        GuardianLink.student.id.as_alias("student_id"),
        GuardianLink.relationship, GuardianLink.is_guardian, GuardianLink.portal_access,
        GuardianLink.primary_contact, GuardianLink.lives_with,
    ).where(GuardianLink.guardian == guardian.id).order_by(GuardianLink.id),
        GuardianLink.student.is_in(students_at_school(staff.school_id)) if own_school_only else None)
    for link in students:
        link["access_on"] = await may_see(guardian.id, link["student_id"])
    account = await UserAccount.select(
        UserAccount.id, UserAccount.username, UserAccount.disabled, UserAccount.locked_until, UserAccount.created_at,
    ).where(UserAccount.person == guardian.id).first()
    keys = await ActivationKey.select(
        ActivationKey.created_at, ActivationKey.issued_how, ActivationKey.photo_id_type, ActivationKey.expires_at,
        ActivationKey.used_at, ActivationKey.revoked_at, ActivationKey.issued_by.username.as_alias("issued_by"),
    ).where(ActivationKey.guardian == guardian.id).order_by(ActivationKey.created_at, ascending=False)
    now = clock.now()
    for key in keys:
        key["state"] = ("used" if key["used_at"] else "revoked" if key["revoked_at"]
                        else "expired" if key["expires_at"] <= now else "unused")
    sign_ins = []
    if account:
        sign_ins = audit.with_devices(await AuditEvent.select(
            AuditEvent.at, AuditEvent.action, AuditEvent.ip, AuditEvent.browser, AuditEvent.system).where(
            (AuditEvent.account == account["id"]) & AuditEvent.action.is_in(list(SIGN_IN_ACTIONS))
        ).order_by(AuditEvent.at, ascending=False).limit(20))
        account["locked"] = account["locked_until"] is not None and account["locked_until"] > now
        # Too many wrong passwords: refused until the window ends, or a staff unlock (the same Unlock button).
        account["sign_in_blocked_until"] = await sign_in_blocked_until(account["username"], guardian.email)
        account["second_factor"] = await has_second_factor(account["id"])  # issue 14
    await audit.record("staff.viewed-guardian", actor=staff.id, person=guardian.id,
                       account=account["id"] if account else None, ip=ip)
    return {"guardian": guardian, "students": students, "portal_account": account, "keys": keys, "sign_ins": sign_ins,
            "eligible": await is_eligible_guardian(guardian.id), "own_school_only": own_school_only}

