"""The last look at every email about a student, when its turn comes to be sent (issue 11): access that is
switched off means no email about that student is sent afterwards, even one queued before.

THE RULE (docs/security.md, "Mail about a student"). A message about students (its payload's `about`:
the guardian it goes to and the students it mentions, app/mail/outbox.py) is checked against the district's
day at send time; a student is *withheld* from it when

1. the guardian it goes to may not see the student today (their link is not in force: app/services/access.py),
   or
2. the address it goes to is on file for any guardian whose access to that student is off (a guardian link
   the SIS keeps without portal access, a restriction in force, or a student whose parents lost access at
   18): a mailbox shared by two parents reaches the restricted one too. Addresses compare lower-cased.

A message with a withheld student is cancelled (kept in the outbox as `cancelled`, its payload dropped) —
except the weekly digest, whose withheld children's sections are taken out: it goes with the others, or not
at all when no other child has news. A kind in ABOUT_STUDENTS that carries no `about` is never sent.
"""

from __future__ import annotations

from typing import Any

from app.database import fetch
from app.mail.outbox import ABOUT_STUDENTS
from app.mail.sender import Claimed
from app.rules.access import NOBODY_IS_ADULT
from app.services.access import (LINK_IN_FORCE, RESTRICTION_IN_FORCE, AccessDay, access_day, link_in_force_args,
                                 link_in_force_sql)

_NOT_SEEN_BY = """
SELECT s.id FROM person s WHERE s.id IN ({students}) AND NOT EXISTS (
    SELECT 1 FROM guardian_link l WHERE l.guardian = {} AND l.student = s.id AND """ + LINK_IN_FORCE + """)
"""

# The addresses on file for guardians whose access to these students is off: linked as a guardian but the
# link is not in force, or a restriction in force (with or without a link yet).
_OFF_ADDRESSES = """
SELECT l.student, g.email FROM guardian_link l JOIN person g ON g.id = l.guardian
WHERE l.student IN ({students}) AND g.email IS NOT NULL AND l.is_guardian = {} AND NOT """ + link_in_force_sql("l") + """
UNION
SELECT ar.student, g.email FROM access_restriction ar JOIN person g ON g.id = ar.guardian
WHERE ar.student IN ({students}) AND g.email IS NOT NULL AND """ + RESTRICTION_IN_FORCE + """
"""


# For the guardian's home (one more row set in its single round trip, app/services/home.py): one row when
# this guardian's address is on file for another guardian whose access to one of this guardian's children
# is off, so email about that child is not sent to it. Parameters: the guardian, then
# shared_address_args(day). Students whose parents lost access at 18 do not count (nobody is emailed).
SHARED_ADDRESS_ROWS = """
SELECT 'shared-address' AS part, me.id, NULL AS source_id, NULL AS title, NULL AS kind, NULL AS start_date,
       NULL AS end_date, NULL AS parent, NULL AS school_year, NULL AS given_name, NULL AS family_name,
       NULL AS grade, NULL AS school_name, NULL AS enrollment
FROM person me WHERE me.id = {} AND me.email IS NOT NULL AND (EXISTS (
    SELECT 1 FROM guardian_link mine JOIN guardian_link t ON t.student = mine.student
    JOIN person other ON other.id = t.guardian
    WHERE mine.guardian = me.id AND t.guardian <> me.id AND lower(other.email) = lower(me.email)
      AND t.is_guardian = {} AND NOT """ + link_in_force_sql("t") + """)
  OR EXISTS (
    SELECT 1 FROM guardian_link mine JOIN access_restriction ar ON ar.student = mine.student
    JOIN person other ON other.id = ar.guardian
    WHERE mine.guardian = me.id AND ar.guardian <> me.id AND lower(other.email) = lower(me.email)
      AND """ + RESTRICTION_IN_FORCE + """))
"""


def shared_address_args(day: AccessDay) -> tuple:
    ignoring_18 = AccessDay(day.today, NOBODY_IS_ADULT)
    return True, *link_in_force_args(ignoring_18), day.today, day.today


def _in(values: list) -> str:
    return ", ".join("{}" for _ in values)


def same_address(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and a.strip().lower() == b.strip().lower()


async def addresses_with_access_off(students: list[int], day: AccessDay) -> dict[int, set[str]]:
    """Per student, the (lower-cased) addresses on file for guardians whose access to the student is off."""
    found: dict[int, set[str]] = {}
    if not students:
        return found
    sql = _OFF_ADDRESSES.replace("{students}", _in(students))
    rows = await fetch(sql, *students, True, *link_in_force_args(day), *students, day.today, day.today)
    for row in rows:
        found.setdefault(row["student"], set()).add(row["email"].strip().lower())
    return found


async def withheld_students(guardian: int | None, students: list[int], address: str,
                            day: AccessDay | None = None) -> set[int]:
    """The students a message to `guardian` at `address` must not mention today (the rule above)."""
    students = sorted(set(students))
    if not students:
        return set()
    day = day or await access_day()
    withheld: set[int] = set()
    if guardian is not None:
        rows = await fetch(_NOT_SEEN_BY.replace("{students}", _in(students)), *students, guardian,
                                      *link_in_force_args(day))
        withheld |= {r["id"] for r in rows}
    else:
        withheld |= set(students)  # nobody on file: nothing about a student goes to them
    for student, addresses in (await addresses_with_access_off(students, day)).items():
        if address.strip().lower() in addresses:
            withheld.add(student)
    return withheld


def trim_digest(context: dict[str, Any], withheld: set[int]) -> dict[str, Any] | None:
    """The weekly digest without the withheld children's sections; None when nothing is left to say."""
    children = [c for c in context.get("children", []) if c.get("student_id") not in withheld]
    if not any(c.get("has_news") for c in children):
        return None
    return {**context, "children": children, "students": ", ".join(c["given_name"] for c in children)}


# Kinds with one section per student: the withheld students' sections are taken out instead of the message.
SECTIONED = {"weekly-digest": trim_digest}


async def gate(message: Claimed, about: dict[str, Any] | None, context: dict[str, Any]) -> dict[str, Any] | None:
    """The sender's gate (app/mail/sender.py MailKinds.gate)."""
    if about is None:
        return None if message.kind in ABOUT_STUDENTS else context
    students = [int(s) for s in about.get("students") or []]
    if not students:
        return context
    withheld = await withheld_students(about.get("guardian"), students, message.to_address)
    if not withheld:
        return context
    trim = SECTIONED.get(message.kind)
    return trim(context, withheld) if trim is not None else None
