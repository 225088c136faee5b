"""The last look at every email about a student, when its turn comes to be sent (issue 11): access that is
switched off means no email about that student is sent afterwards, even one queued before.

THE RULE (docs/security.md, "Mail about a student"). A message about students (its payload's `about`:
the guardian it goes to and the students it mentions, app/mail/outbox.py) is checked against the district's
day at send time; a student is *withheld* from it when

1. the guardian it goes to may not see the student today (their link is not in force: app/services/access.py),
   or
2. the address it goes to reaches a mailbox of any guardian whose access to that student is off (a guardian
   link the SIS keeps without portal access, a restriction in force, or a student whose parents lost access
   at 18): a mailbox shared by two parents reaches the restricted one too. A restricted guardian's mailboxes
   are the address on file now **and every address they had on file while their access was off**
   (`restricted_address`, remembered by app/services/access.py `remember_restricted_addresses`): changing
   one's own address does not turn the rule off. Two addresses are one mailbox when app/rules/emails.py
   `mailbox_key` says so (case, plus tags, Gmail's dots).

A message with a withheld student is cancelled (kept in the outbox as `cancelled`, its payload dropped) —
except the weekly digest, whose withheld children's sections are taken out: it goes with the others, or not
at all when no other child has news. A kind in ABOUT_STUDENTS that carries no `about` is never sent.

Rule 3, mail about an account. A message about a guardian's account (ABOUT_THE_ACCOUNT: an activation key or
a reset link, which make or take over the account, and every notice about it — a new email address asked for,
a phone number, the password or the way to sign in changed, a username reminder or lock) is about every child
the account's guardian may see, whoever it was asked for through: whoever reads the mailbox can make or take
over the account and see them all, or learns how the guardian can now be reached. It is cancelled when the
address reaches a mailbox of a guardian whose access to any of those children is off, or is set to be from a
later day (`exposed_children`). A username reminder or lock notice, sent to an address rather than for one
account, is cancelled when that holds for any guardian with the address on file. Only the answer to a key
request (`key-request-checked`, to whoever asked, naming nobody) is about no account.
"""

from __future__ import annotations

from typing import Any

from app.database import fetch
from app.mail.outbox import ABOUT_STUDENTS, ABOUT_THE_ACCOUNT
from app.mail.sender import Claimed
from app.rules.emails import mailbox_key, same_mailbox
from app.services.access import (LINK_IN_FORCE, RESTRICTION_IN_FORCE, RESTRICTION_NOT_OVER, AccessDay, access_day,
                                 link_in_force_args, link_in_force_sql)
from app.tables import GuardianLink, Person, UserAccount

_NOT_SEEN_BY = """
SELECT s.id FROM person s WHERE s.id IN ({students}) AND NOT EXISTS (
    SELECT 1 FROM guardian_link l WHERE l.guardian = {} AND l.student = s.id AND """ + LINK_IN_FORCE + """)
"""

# The guardians whose access to these students is off: linked as a guardian but the link is not in force, or
# a restriction in force (with or without a link yet) — or, counting restrictions set to start later, one not
# over. Statement and parameters: off_guardians().
_OFF_GUARDIANS = """
SELECT l.student, l.guardian FROM guardian_link l
WHERE l.student IN ({students}) AND l.is_guardian = {} AND NOT """ + link_in_force_sql("l") + """
UNION
SELECT ar.student, ar.guardian FROM access_restriction ar
WHERE ar.student IN ({students}) AND {restriction}"""

# Their addresses: on file now, and remembered from while their access was off.
_OFF_ADDRESSES = """
SELECT off.student, off.guardian, g.email FROM (""" + _OFF_GUARDIANS + """) off JOIN person g ON g.id = off.guardian
WHERE g.email IS NOT NULL AND g.email <> ''
UNION
SELECT off.student, off.guardian, r.email FROM (""" + _OFF_GUARDIANS + """) off
JOIN restricted_address r ON r.guardian = off.guardian
"""

# The children a guardian may see today (a students list for the statements above). Parameters: the
# guardian, then link_in_force_args(day).
CHILDREN_SEEN_BY = "SELECT seen.student FROM guardian_link seen WHERE seen.guardian = {} AND " + \
    link_in_force_sql("seen")


def _in(values: list) -> str:
    return ", ".join("{}" for _ in values)


def _restriction(day: AccessDay, scheduled: bool) -> tuple[str, tuple]:
    return (RESTRICTION_NOT_OVER, (day.today,)) if scheduled else (RESTRICTION_IN_FORCE, (day.today, day.today))


def off_guardians(students: str, students_args: tuple, day: AccessDay, *,
                  scheduled: bool = False) -> tuple[str, tuple]:
    """The statement of the (student, guardian) pairs whose access is off, and its parameters, for students
    given as SQL (placeholders or a subquery such as CHILDREN_SEEN_BY) with their parameters. `scheduled`:
    also a restriction set to start on a later day (for what opens an account: app/services/key_reach.py)."""
    restriction, restriction_args = _restriction(day, scheduled)
    return (_OFF_GUARDIANS.replace("{students}", students).replace("{restriction}", restriction),
            (*students_args, True, *link_in_force_args(day), *students_args, *restriction_args))


def _off_addresses(students: str, students_args: tuple, day: AccessDay, *,
                   scheduled: bool = False) -> tuple[str, tuple]:
    restriction, _ = _restriction(day, scheduled)
    return (_OFF_ADDRESSES.replace("{students}", students).replace("{restriction}", restriction),
            off_guardians(students, students_args, day, scheduled=scheduled)[1] * 2)


# For the guardian's home (one more row set in its single round trip, app/services/home.py): a row per address
# of a guardian whose access to one of this guardian's children is off, with this guardian's own address; the
# home tells them to add an address of their own when the two are one mailbox (`shares_a_mailbox`).
# Parameters: shared_address_args(guardian, day).
SHARED_ADDRESS_ROWS = """
SELECT 'shared-address' AS part, NULL AS id, me.email AS source_id, off.email AS title, NULL AS kind,
       NULL AS start_date, NULL AS end_date, NULL AS parent, NULL AS school_year, NULL AS given_name,
       NULL AS family_name, NULL AS grade, NULL AS school_name, NULL AS enrollment
FROM (""" + _OFF_ADDRESSES.replace("{students}", CHILDREN_SEEN_BY).replace("{restriction}", RESTRICTION_IN_FORCE) + """) off
JOIN person me ON me.id = {}
WHERE me.email IS NOT NULL
"""


def shared_address_args(guardian_id: int, day: AccessDay) -> tuple:
    return (*_off_addresses(CHILDREN_SEEN_BY, (guardian_id, *link_in_force_args(day)), day)[1], guardian_id)


def shares_a_mailbox(rows: list[dict]) -> bool:
    """Whether the home's shared-address rows say the guardian's address is a restricted guardian's mailbox."""
    return any(same_mailbox(r["source_id"], r["title"]) for r in rows)


async def off_mailboxes(students: list[int], day: AccessDay | None = None) -> dict[int, set[str]]:
    """Per student, the mailboxes (mailbox_key) of the guardians whose access to the student is off: their
    addresses on file now and those remembered from while their access was off. A student with none is left
    out. One query, even for no students (a key request does the same work whether or not they exist)."""
    day = day or await access_day()
    students = students or [0]
    sql, args = _off_addresses(_in(students), tuple(students), day)
    found: dict[int, set[str]] = {}
    for row in await GuardianLink.raw(sql, *args):
        key = mailbox_key(row["email"])
        if key:
            found.setdefault(row["student"], set()).add(key)
    return found


async def exposed_children(guardian_id: int | None, address: str | None, day: AccessDay | None = None) -> set[int]:
    """The children this guardian may see today whose records a message to `address` would open to someone who
    may not see them: the address reaches a mailbox of a guardian whose access to the child is off, or is set
    to be (a restriction with a later first day: an account taken today still opens the child then). Nothing
    about this guardian's account goes there (rule 3). One query, whoever the guardian is."""
    day = day or await access_day()
    sql, args = _off_addresses(CHILDREN_SEEN_BY, (guardian_id or 0, *link_in_force_args(day)), day, scheduled=True)
    key = mailbox_key(address)
    # Not their own restriction that starts later: their account stops showing the child that day by itself.
    return {r["student"] for r in await GuardianLink.raw(sql, *args)
            if key and mailbox_key(r["email"]) == key and r["guardian"] != guardian_id}


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
    key = mailbox_key(address)
    for student, mailboxes in (await off_mailboxes(students, day)).items():
        if key in mailboxes:
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


async def _account_holders(about: dict[str, Any] | None, context: dict[str, Any], address: str) -> list[int]:
    """Whose account a message about an account is about: the guardian its `about` names (nobody when it names
    none: a staff member, someone who asked for a key); else the guardian of the account in its context (a
    reset link); else every guardian with this address on file (a username reminder or lock notice covers
    every account at the address)."""
    if about is not None:
        return [about["guardian"]] if about.get("guardian") is not None else []
    account_id = context.get("account_id")
    if isinstance(account_id, int):
        row = await UserAccount.select(UserAccount.person).where(UserAccount.id == account_id).first()
        return [row["person"]] if row and row["person"] is not None else []
    return [r["id"] for r in await Person.select(Person.id).where(
        (Person.email == address) & (Person.kind == "guardian"))]


async def gate(message: Claimed, about: dict[str, Any] | None, context: dict[str, Any]) -> dict[str, Any] | None:
    """The sender's gate (app/mail/sender.py MailKinds.gate)."""
    if message.kind in ABOUT_THE_ACCOUNT:
        for guardian in await _account_holders(about, context, message.to_address):
            if await exposed_children(guardian, message.to_address):
                return None
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
