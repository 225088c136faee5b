"""Portal access per guardian–student link (issue 11; FERPA 34 CFR 99.4, 99.5).

THE RULE, in one place. A guardian sees a student (pages, home card, records, emails and alerts about the
student, the student on a key letter) only while their link is *in force* on the district's day:

- the SIS's flags are on (`guardian_link.is_guardian`, `guardian_link.portal_access`);
- no restriction (app/tables/access.py) is in force: not lifted, started (`starts_on` <= today) and not
  ended (`ends_on` >= today) — the dates count by themselves, no nightly job;
- the student is not an adult whose parents lost access at 18 (district preference `parents_after_18`).

Every query uses `LINK_IN_FORCE` (raw SQL, a condition on `guardian_link` under an alias) or
`link_in_force_where()` (the same text for Piccolo's query builder), with `link_in_force_args(day)`; a
service deciding about one guardian and one student calls `may_see()`, and one about a student's
guardians calls `guardians_who_may_see()`.

Changing it: `block_access()` / `unblock_access()` by sourcedIds (the CLI, the district CSV, the Ed-Fi
import call these) and `block_for_staff()` / `unblock_for_staff()` from the console (scoped: school staff of
the student's school, district admins). A restriction has a source: an import lifts only restrictions an
import made, never what staff turned off. Every change writes an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from piccolo.columns.combination import WhereRaw

from app import clock
from app.database import fetch, transaction
from app.rules.access import (NOBODY_IS_ADULT, REASONS, SOURCES, adult_cutoff, eighteenth_birthday,
                              restriction_errors, restriction_state, student_request_errors)
from app.rules.district_day import district_day
from app.rules.emails import same_mailbox
from app.rules.errors import N_, FieldError
from app.services import audit
from app.services.preferences import load_preferences
from app.services.staff_scope import sees_all_schools, students_at_school
from app.tables import GuardianLink, Person
from app.tables.access import AccessRestriction, RestrictedAddress

# A condition on a guardian_link row written `LINK.` (replaced by the query's alias for it). Parameters:
# see link_in_force_args. Placeholders are {} as everywhere (Piccolo makes them $n or ?).
# A restriction (alias `ar`) in force on a day: not lifted, started and not ended. Two {}: the day, twice.
RESTRICTION_IN_FORCE = """(ar.lifted_at IS NULL AND (ar.starts_on IS NULL OR ar.starts_on <= {})
  AND (ar.ends_on IS NULL OR ar.ends_on >= {}))"""
# A restriction not over on a day: in force, or set to start later. What opens an account (a key, a reset link)
# counts these (app/services/key_reach.py): an account made before the first day still opens the child after
# it. One {}: the day.
RESTRICTION_NOT_OVER = "(ar.lifted_at IS NULL AND (ar.ends_on IS NULL OR ar.ends_on >= {}))"
_LINK_IN_FORCE = """(LINK.is_guardian = {} AND LINK.portal_access = {}
  AND NOT EXISTS (SELECT 1 FROM access_restriction ar
                  WHERE ar.guardian = LINK.guardian AND ar.student = LINK.student AND """ + RESTRICTION_IN_FORCE + """)
  AND NOT EXISTS (SELECT 1 FROM person adult WHERE adult.id = LINK.student AND adult.birth_date <= {}))"""


def link_in_force_sql(alias: str = "l") -> str:
    """The rule as a condition on `guardian_link` under `alias`, with five {} placeholders."""
    return _LINK_IN_FORCE.replace("LINK.", f"{alias}.")


LINK_IN_FORCE = link_in_force_sql("l")


@dataclass(frozen=True)
class AccessDay:
    """What the rule needs to know about today: the district's day, and the latest birth date of a student
    whose parents have lost access at 18 (a date nobody is born on when parents keep access)."""

    today: date
    adult_cutoff: date


def link_in_force_args(day: AccessDay) -> tuple:
    return True, True, day.today, day.today, day.adult_cutoff


def link_in_force_where(day: AccessDay) -> WhereRaw:
    """The rule for a Piccolo query on GuardianLink (the table is its own alias there)."""
    return WhereRaw(link_in_force_sql("guardian_link"), *link_in_force_args(day))


def access_day_for(today: date, parents_after_18: str) -> AccessDay:
    return AccessDay(today, adult_cutoff(today, parents_after_18))


async def access_day() -> AccessDay:
    """Today in the district's time zone, with the district's 18th-birthday preference."""
    prefs = await load_preferences()
    return access_day_for(district_day(clock.now(), prefs.time_zone), prefs.parents_after_18)


async def may_see(guardian_id: int, student_id: int, day: AccessDay | None = None) -> bool:
    """Whether this guardian may see (and be emailed about) this student today."""
    day = day or await access_day()
    rows = await fetch(
        f"SELECT 1 AS ok FROM guardian_link l WHERE l.guardian = {{}} AND l.student = {{}} AND {LINK_IN_FORCE}",
        guardian_id, student_id, *link_in_force_args(day))
    return bool(rows)


async def guardians_who_may_see(student_id: int, day: AccessDay | None = None) -> list[int]:
    """The ids of the guardians who may see (and be emailed about) this student today."""
    day = day or await access_day()
    rows = await fetch(
        f"SELECT l.guardian FROM guardian_link l WHERE l.student = {{}} AND {LINK_IN_FORCE} ORDER BY l.id",
        student_id, *link_in_force_args(day))
    return [r["guardian"] for r in rows]


async def students_hidden_from(guardian_id: int, day: AccessDay | None = None) -> set[int]:
    """The students linked to this guardian whose link is not in force today (for pages that list people,
    such as the household's members: a hidden child is not named there either)."""
    day = day or await access_day()
    rows = await fetch(
        f"SELECT l.student FROM guardian_link l WHERE l.guardian = {{}} AND NOT {LINK_IN_FORCE}",
        guardian_id, *link_in_force_args(day))
    return {r["student"] for r in rows}


async def came_of_age(guardian_id: int, day: AccessDay) -> list[dict]:
    """The students this guardian no longer sees only because they turned 18 and the district ends parents'
    access then (for the notice on home): given_name, family_name, birthday. Empty when parents keep access.
    A student hidden for another reason too (a restriction, the SIS's flags) is not named."""
    if day.adult_cutoff == NOBODY_IS_ADULT:
        return []
    rows = await fetch(
        f"SELECT p.given_name, p.family_name, p.birth_date FROM guardian_link l JOIN person p ON p.id = l.student "
        f"WHERE l.guardian = {{}} AND p.birth_date <= {{}} AND p.status = 'active' AND {LINK_IN_FORCE} "
        f"AND EXISTS (SELECT 1 FROM school_enrollment e WHERE e.student = p.id AND e.status = 'active') "
        f"ORDER BY p.given_name",
        guardian_id, day.adult_cutoff, *link_in_force_args(AccessDay(day.today, NOBODY_IS_ADULT)))
    return [{"given_name": r["given_name"], "family_name": r["family_name"],
             "birthday": eighteenth_birthday(r["birth_date"])} for r in rows]


# --- changing it -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AccessChange:
    """What a block or unblock did: `done` one of blocked | changed | unchanged | unblocked | nothing-to-lift,
    or the problems (nothing was changed)."""

    done: str = ""
    errors: list[FieldError] = field(default_factory=list)
    refused: bool = False  # the command was right but the student's data says no (student-request under 18)
    still_restricted: bool = False  # after an unblock: a restriction from another source is still open
    # after a block: the guardians within reach whose keys or reset links were revoked (app/services/key_reach.py)
    revoked: list = field(default_factory=list)


async def _person(source_id: str, kind: str) -> dict | None:
    return await Person.select(Person.id, Person.source_id, Person.birth_date).where(
        (Person.source_id == (source_id or "").strip()) & (Person.kind == kind)).first()


async def _people(guardian_source_id: str, student_source_id: str) -> tuple[dict | None, dict | None,
                                                                              list[FieldError]]:
    guardian = await _person(guardian_source_id, "guardian")
    student = await _person(student_source_id, "student")
    errors = []
    if guardian is None:
        errors.append(FieldError("guardian", N_("There is no guardian with sourcedId %(id)s"),
                                 {"id": (guardian_source_id or "")[:80]}))
    if student is None:
        errors.append(FieldError("student", N_("There is no student with sourcedId %(id)s"),
                                 {"id": (student_source_id or "")[:80]}))
    return guardian, student, errors


def _describe(reason: str, reference: str, starts_on: date | None, ends_on: date | None, source: str) -> str:
    return (f"reason={reason} from={starts_on or '-'} until={ends_on or '-'} source={source}"
            + (f" reference={reference[:80]}" if reference else ""))


async def block_access(guardian_source_id: str, student_source_id: str, reason: str, reference: str = "",
                       starts_on: date | str | None = None, ends_on: date | str | None = None, *,
                       source: str = "staff", actor: int | None = None, ip: str = "") -> AccessChange:
    """Switch portal access off for one guardian and one student, from `starts_on` (None: now) to `ends_on`
    (None: until lifted), both district days and both included. A link need not exist yet: a restriction
    imported before the roster link still holds when the link arrives. The reason "student-request" is
    refused for a student under 18 on the first day (in the district's time zone) or without a birth date.

    Each source keeps at most one open restriction per guardian and student: blocking again with the same
    source changes it (reason, reference, dates). Dates may be given as dates or as YYYY-MM-DD text.
    Owns its transaction (or joins the caller's) and writes the audit event (`access.blocked` or
    `access.changed`, about the student). The student's other guardians within the blocked guardian's reach lose
    their unused keys and reset links (app/services/key_reach.py; `revoked` names them, for the office). Returns
    AccessChange; nothing changes when it has errors."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    typed, errors = restriction_errors(reason or "", reference or "", _as_text(starts_on), _as_text(ends_on))
    guardian, student, missing = await _people(guardian_source_id, student_source_id)
    errors = missing + errors
    if not errors and typed.reason == "student-request":
        errors = student_request_errors(typed.reason, student["birth_date"],
                                        typed.starts_on or (await access_day()).today)
        if errors:
            return AccessChange(errors=errors, refused=True)
    if errors:
        return AccessChange(errors=errors)
    now = clock.now()
    async with transaction():
        current = await AccessRestriction.objects().where(
            (AccessRestriction.guardian == guardian["id"]) & (AccessRestriction.student == student["id"])
            & (AccessRestriction.source == source) & AccessRestriction.lifted_at.is_null()).first()
        wanted = (typed.reason, typed.reference, typed.starts_on, typed.ends_on)
        if current is not None and (current.reason, current.reference, current.starts_on, current.ends_on) == wanted:
            return AccessChange(done="unchanged")
        if current is None:
            await AccessRestriction.insert(AccessRestriction(
                guardian=guardian["id"], student=student["id"], reason=typed.reason, reference=typed.reference,
                starts_on=typed.starts_on, ends_on=typed.ends_on, source=source, created_at=now,
                created_by=actor))
        else:
            await AccessRestriction.update({
                AccessRestriction.reason: typed.reason, AccessRestriction.reference: typed.reference,
                AccessRestriction.starts_on: typed.starts_on, AccessRestriction.ends_on: typed.ends_on,
            }).where(AccessRestriction.id == current.id)
        done = "blocked" if current is None else "changed"
        # The address the guardian has on file now stays one of theirs for the shared-mailbox rule, even if
        # they change it (app/services/mail_access.py).
        await remember_restricted_addresses(guardian["id"], "blocked")
        await audit.record(f"access.{done}", actor=actor, person=student["id"], ip=ip,
                           detail=f"guardian={guardian['source_id'][:80]} "
                                  + _describe(*wanted, source))
        # A key or reset link the blocked guardian could pick up (at a home they are listed at, in a mailbox they
        # read) stops working now, even for a restriction that starts later.
        from app.services.key_reach import revoke_within_reach

        revoked = await revoke_within_reach(student["id"], actor=actor, ip=ip)
    return AccessChange(done=done, revoked=revoked)


async def unblock_access(guardian_source_id: str, student_source_id: str, *, source: str = "staff",
                         actor: int | None = None, ip: str = "") -> AccessChange:
    """Switch access back on: lift the open restrictions on this guardian and student. Staff lift every
    one (an imported one comes back at the next import if the SIS still has it); an import lifts only the
    restrictions that same import made (the district CSV its own, Ed-Fi its own), never what staff or the other
    import turned off (`still_restricted` then says so)."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    guardian, student, errors = await _people(guardian_source_id, student_source_id)
    if errors:
        return AccessChange(errors=errors)
    now = clock.now()
    open_ones = (AccessRestriction.guardian == guardian["id"]) & (AccessRestriction.student == student["id"]) \
        & AccessRestriction.lifted_at.is_null()
    async with transaction():
        liftable = open_ones if source == "staff" else open_ones & (AccessRestriction.source == source)
        lifted = await AccessRestriction.update({AccessRestriction.lifted_at: now,
                                                 AccessRestriction.lifted_by: actor}).where(liftable).returning(
            AccessRestriction.id, AccessRestriction.source)
        still = await AccessRestriction.exists().where(open_ones)
        if lifted:
            await audit.record("access.unblocked", actor=actor, person=student["id"], ip=ip,
                               detail=f"guardian={guardian['source_id'][:80]} source={source} "
                                      f"lifted={len(lifted)}" + (" still-restricted" if still else ""))
    return AccessChange(done="unblocked" if lifted else "nothing-to-lift", still_restricted=still)


def _as_text(day: date | str | None) -> str:
    if day is None:
        return ""
    return day.isoformat() if isinstance(day, date) else str(day)


# --- reading it ----------------------------------------------------------------------------------------

async def restrictions(*, student_source_id: str | None = None, include_lifted: bool = False,
                       student_id: int | None = None, guardian_id: int | None = None) -> list[dict]:
    """Restrictions with both people's sourcedIds and names and their state today (scheduled, in-force,
    ended, lifted), newest first."""
    day = await access_day()
    query = AccessRestriction.select(
        AccessRestriction.id, AccessRestriction.reason, AccessRestriction.reference, AccessRestriction.starts_on,
        AccessRestriction.ends_on, AccessRestriction.source, AccessRestriction.created_at,
        AccessRestriction.lifted_at, AccessRestriction.guardian, AccessRestriction.student,
        AccessRestriction.guardian.source_id.as_alias("guardian_source_id"),
        AccessRestriction.guardian.given_name.as_alias("guardian_given_name"),
        AccessRestriction.guardian.family_name.as_alias("guardian_family_name"),
        AccessRestriction.student.source_id.as_alias("student_source_id"),
        AccessRestriction.student.given_name.as_alias("student_given_name"),
        AccessRestriction.student.family_name.as_alias("student_family_name"),
        AccessRestriction.created_by.username.as_alias("created_by"),
        AccessRestriction.lifted_by.username.as_alias("lifted_by"),
    )
    if student_source_id:
        query = query.where(AccessRestriction.student.source_id == student_source_id)
    if student_id is not None:
        query = query.where(AccessRestriction.student == student_id)
    if guardian_id is not None:
        query = query.where(AccessRestriction.guardian == guardian_id)
    if not include_lifted:
        query = query.where(AccessRestriction.lifted_at.is_null())
    rows = await query.order_by(AccessRestriction.created_at, ascending=False).order_by(
        AccessRestriction.id, ascending=False)
    for row in rows:
        row["state"] = restriction_state(row["starts_on"], row["ends_on"], row["lifted_at"] is not None, day.today)
        row["reason_label"] = REASONS.get(row["reason"], row["reason"])
    return rows


# --- the staff console -----------------------------------------------------------------------------------

async def _link_for_staff(staff, student_public_id: UUID, guardian_public_id: UUID) -> dict | None:
    """The guardian–student link if the staff member may manage it: a district admin always; school staff
    when the student is enrolled at their school now (app/services/staff_scope.py: not a school the student
    has left). None otherwise, as for a link that does not exist."""
    query = GuardianLink.select(
        GuardianLink.id, GuardianLink.relationship, GuardianLink.is_guardian, GuardianLink.portal_access,
        GuardianLink.guardian.id.as_alias("guardian_id"),
        GuardianLink.guardian.source_id.as_alias("guardian_source_id"),
        GuardianLink.guardian.public_id.as_alias("guardian_public_id"),
        GuardianLink.guardian.given_name.as_alias("guardian_given_name"),
        GuardianLink.guardian.family_name.as_alias("guardian_family_name"),
        GuardianLink.student.id.as_alias("student_id"),
        GuardianLink.student.source_id.as_alias("student_source_id"),
        GuardianLink.student.public_id.as_alias("student_public_id"),
        GuardianLink.student.given_name.as_alias("student_given_name"),
        GuardianLink.student.family_name.as_alias("student_family_name"),
    ).where((GuardianLink.student.public_id == student_public_id)
            & (GuardianLink.guardian.public_id == guardian_public_id))
    if not sees_all_schools(staff):
        query = query.where(GuardianLink.student.is_in(students_at_school(staff.school_id)))
    return await query.first()


async def link_access_for_staff(staff, student_public_id: UUID, guardian_public_id: UUID) -> dict | None:
    """The link, whether access is on today, and its restrictions (lifted ones too), for the console."""
    link = await _link_for_staff(staff, student_public_id, guardian_public_id)
    if link is None:
        return None
    link["in_force"] = await may_see(link["guardian_id"], link["student_id"])
    link["restrictions"] = await restrictions(student_id=link["student_id"], guardian_id=link["guardian_id"],
                                              include_lifted=True)
    link["shares_address_with"] = await guardians_sharing_address(link["guardian_id"], link["student_id"])
    return link


async def guardians_sharing_address(guardian_id: int, student_id: int) -> list[dict]:
    """The student's other guardians whose address on file reaches one mailbox with this guardian's — the one on
    file, or one remembered from while their access was off (app/rules/emails.py mailbox_key) — as given_name,
    family_name: for the staff console's warning that mail about the student stops for that address
    (app/services/mail_access.py)."""
    mine = [r["email"] for r in await Person.select(Person.email).where(Person.id == guardian_id)]
    mine += [r["email"] for r in await RestrictedAddress.select(RestrictedAddress.email).where(
        RestrictedAddress.guardian == guardian_id)]
    others = await GuardianLink.select(
        GuardianLink.guardian.id.as_alias("id"), GuardianLink.guardian.given_name.as_alias("given_name"),
        GuardianLink.guardian.family_name.as_alias("family_name"), GuardianLink.guardian.email.as_alias("email"),
    ).where((GuardianLink.student == student_id) & (GuardianLink.guardian != guardian_id)
            & GuardianLink.guardian.email.is_not_null()).order_by(GuardianLink.guardian.family_name).order_by(
        GuardianLink.guardian.given_name).order_by(GuardianLink.guardian.id)
    return [{"id": o["id"], "given_name": o["given_name"], "family_name": o["family_name"]} for o in others
            if any(same_mailbox(o["email"], address) for address in mine)]


# Whose address to remember (app/services/mail_access.py, rule 2): a guardian whose access to a child is off
# now or is set to be (a restriction neither lifted nor ended, or a guardian link the SIS keeps without portal
# access), with an address on file not remembered yet. Parameters: now, how, today, True, False, then the
# guardian when one is named.
_REMEMBER = """
INSERT INTO restricted_address (guardian, email, noted_at, noted_how)
SELECT p.id, p.email, {}, {} FROM person p
WHERE p.kind = 'guardian' AND p.email IS NOT NULL AND p.email <> '' AND (
    EXISTS (SELECT 1 FROM access_restriction ar WHERE ar.guardian = p.id AND """ + RESTRICTION_NOT_OVER + """)
    OR EXISTS (SELECT 1 FROM guardian_link l WHERE l.guardian = p.id AND l.is_guardian = {} AND l.portal_access = {}))
  AND NOT EXISTS (SELECT 1 FROM restricted_address r WHERE r.guardian = p.id AND r.email = p.email)
"""


async def remember_restricted_addresses(guardian_id: int | None, how: str) -> None:
    """Remember the address on file of this guardian (None: of every guardian) while their access to a child
    is off, before it can change: called when access is switched off (`blocked`), just before a guardian's
    address is replaced (`changed`), and at the start of every import that writes addresses (`import`). One
    statement; joins the caller's transaction."""
    day = await access_day()
    sql = _REMEMBER + (" AND p.id = {}" if guardian_id is not None else "")
    await Person.raw(sql, clock.now(), how, day.today, True, False,
                     *((guardian_id,) if guardian_id is not None else ()))


async def block_for_staff(staff, student_public_id: UUID, guardian_public_id: UUID, reason: str, reference: str,
                          starts_on: str, ends_on: str, *, ip: str) -> AccessChange | None:
    link = await _link_for_staff(staff, student_public_id, guardian_public_id)
    if link is None:
        return None
    return await block_access(link["guardian_source_id"], link["student_source_id"], reason, reference,
                              starts_on, ends_on, source="staff", actor=staff.id, ip=ip)


async def unblock_for_staff(staff, student_public_id: UUID, guardian_public_id: UUID, *,
                            ip: str) -> AccessChange | None:
    link = await _link_for_staff(staff, student_public_id, guardian_public_id)
    if link is None:
        return None
    return await unblock_access(link["guardian_source_id"], link["student_source_id"], source="staff",
                                actor=staff.id, ip=ip)


async def access_states(student_id: int, guardian_ids: list[int]) -> dict[int, bool]:
    """For the console's student page: which of these guardians may see the student today."""
    allowed = set(await guardians_who_may_see(student_id))
    return {g: g in allowed for g in guardian_ids}
