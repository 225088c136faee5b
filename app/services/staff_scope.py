"""What a staff member's queries cover (docs/design.md §5), in one place for every staff service.

School staff see only their school's students and those students' guardians and households; a district
admin sees all. Anything outside a staff member's scope is answered like something that does not exist.
Also how staff searches match a person's name.
"""

from __future__ import annotations

from uuid import UUID

from app.rules.names import search_key
from app.services.sessions import SignedInAccount
from app.tables import GuardianLink, HouseholdChangeRequest, HouseholdMember, Person, School, SchoolEnrollment


def sees_all_schools(staff: SignedInAccount) -> bool:
    return staff.role == "district-admin"


async def search_limited_to(staff: SignedInAccount) -> str | None:
    """The name of the one school a staff member's searches cover, or None when they cover every school
    (issue 13 item 12: the console says so)."""
    if sees_all_schools(staff):
        return None
    row = await School.select(School.name).where(School.id == staff.school_id).first()
    return row["name"] if row else ""


def students_at_school(school_id: int | None):
    """The students enrolled at the school now. A student who has left (an inactive enrollment) is no longer
    its staff's: they do not open the student, the student's guardians through them, or change their access
    (issue 11); the school they are at now, and district admins, do."""
    return SchoolEnrollment.select(SchoolEnrollment.student).where(
        (SchoolEnrollment.school == school_id) & (SchoolEnrollment.status == "active"))


def guardians_at_school(school_id: int | None):
    return GuardianLink.select(GuardianLink.guardian).where(GuardianLink.student.is_in(students_at_school(school_id)))


def people_in_scope(staff: SignedInAccount, kind: str):
    """A condition on Person for the staff member's students or guardians (None: everyone)."""
    if sees_all_schools(staff):
        return None
    if kind == "student":
        return Person.id.is_in(students_at_school(staff.school_id))
    return Person.id.is_in(guardians_at_school(staff.school_id))


def household_changes_in_scope(staff: SignedInAccount):
    """A condition on HouseholdChangeRequest: households with one of the school's students (None: all)."""
    if sees_all_schools(staff):
        return None
    return HouseholdChangeRequest.household.is_in(HouseholdMember.select(HouseholdMember.household).where(
        HouseholdMember.person.is_in(students_at_school(staff.school_id))))


def within(query, scope):
    """The query limited by a scope condition from this module (None: unlimited)."""
    return query.where(scope) if scope is not None else query


async def person_for_staff(staff: SignedInAccount, public_id: UUID, kind: str) -> Person | None:
    query = Person.objects().where((Person.public_id == public_id) & (Person.kind == kind))
    return await within(query, people_in_scope(staff, kind)).first()


# --- matching names ------------------------------------------------------------------------------------

def name_has_all_or(typed: str, other):
    """A condition on Person: every word typed (the first 4 with a letter or digit, of up to 60 characters) is
    somewhere in the person's given and family name, or `other` holds (what else the typed text may be: a
    student number, an email address). Name and words are folded alike (app/rules/names.py: case, accents,
    apostrophes, hyphens, periods and spaces), so the same people are found on SQLite and PostgreSQL. A word
    with an "@" is an email address, not a name; with no word left, only `other` is looked for."""
    keys = [key for key in (search_key(word) for word in typed.split() if len(word) <= 60 and "@" not in word)
            if key][:4]
    if not keys:
        return other
    has_all = Person.name_key.like(f"%{keys[0]}%")  # a key has no LIKE wildcard (% _) and no backslash in it
    for key in keys[1:]:
        has_all &= Person.name_key.like(f"%{key}%")
    return has_all | other
