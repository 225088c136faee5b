"""Keys and reset links that a guardian whose access is off could pick up (issue 11).

A key opens every child its guardian may see to whoever holds it (the account made with it does), and a reset
link takes such an account over. So neither may lie where a guardian whose access to one of those children is
off can pick it up. THE RULE: a guardian is *within reach* of such a guardian when

- that guardian is listed at their home (the household a letter is posted to, app/services/household.py
  `home_household_of`: the household itself, or one at the same address, app/rules/addresses.py `home_key`),
  or
- reads their email address (app/services/mail_access.py `exposed_children`: the address on file now or
  remembered, plus tags, Gmail's dots);

counting a restriction set to start on a later day as already off: an account made before that day still
opens the child after it (but not the guardian's own such restriction: their account stops showing the child on
that day by itself).

A guardian within reach gets a key only by hand, at the office, after a photo-ID check (`in-person`): no key
letter (app/services/key_letters.py leaves them out and says so), no key by email (app/services/key_requests.py
leaves the request to staff, who are not offered them). When access is switched off
(app/services/access.py `block_access`: the console, the CLI, the district CSV, Ed-Fi), the unused keys of the
student's other guardians within reach are revoked, but one handed over at the office, and so are the reset
links of their accounts when the mailbox is the way in; the run names them for the office. And redeeming a key
that was not handed over at the office is refused while its guardian is within reach, however access came to
be off (the SIS's flags, a restriction imported some other way): app/services/activation.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from app import clock
from app.rules.addresses import home_key
from app.services import audit
from app.services.access import AccessDay, access_day, guardians_who_may_see, link_in_force_args
from app.services.household import home_household_of
from app.services.mail_access import CHILDREN_SEEN_BY, exposed_children, off_guardians
from app.tables import ActivationKey, Household, PasswordResetToken, Person, UserAccount

BY_HAND = "in-person"  # ActivationKey.issued_how of a key handed over at the office


@dataclass(frozen=True)
class Reach:
    home: bool = False  # a guardian whose access is off is listed at this guardian's home
    mailbox: bool = False  # ... or reads this guardian's email address

    def __bool__(self) -> bool:
        return self.home or self.mailbox


async def home_of(person_id: int) -> dict | None:
    """The household a guardian's letter is posted to (where they live: app/services/household.py), if any."""
    household_id = await home_household_of(person_id)
    if household_id is None:
        return None
    return await Household.select().where(Household.id == household_id).first()


def _home_key(home: dict) -> tuple[str, ...] | None:
    return home_key(home["address_line1"], home["address_line2"], home["city"], home["state"], home["postal_code"])


async def home_within_reach(guardian_id: int, home: dict | None | bool = True, day: AccessDay | None = None) -> bool:
    """Whether a guardian whose access to one of this guardian's children is off (or set to be) is listed at their
    home. `home`: the guardian's home when the caller has it already."""
    day = day or await access_day()
    if home is True:
        home = await home_of(guardian_id)
    if not home:
        return False
    off_sql, off_args = off_guardians(CHILDREN_SEEN_BY, (guardian_id, *link_in_force_args(day)), day, scheduled=True)
    homes = await Household.raw(
        "SELECT h.id, h.address_line1, h.address_line2, h.city, h.state, h.postal_code "
        f"FROM ({off_sql}) off JOIN household_member hm ON hm.person = off.guardian "
        "JOIN household h ON h.id = hm.household WHERE off.guardian <> {}", *off_args, guardian_id)
    key = _home_key(home)
    return any(h["id"] == home["id"] or (key is not None and _home_key(h) == key) for h in homes)


async def reach(guardian_id: int, day: AccessDay | None = None, *, home: dict | None | bool = True) -> Reach:
    """Whether a guardian whose access to one of this guardian's children is off (or set to be) is listed at
    their home or reads their email address. `home`: the guardian's home when the caller has it already."""
    day = day or await access_day()
    person = await Person.select(Person.email).where(Person.id == guardian_id).first()
    email = person["email"] if person else None
    return Reach(home=await home_within_reach(guardian_id, home, day),
                 mailbox=bool(email) and bool(await exposed_children(guardian_id, email, day)))


async def key_within_reach(guardian_id: int, issued_how: str, day: AccessDay | None = None) -> bool:
    """Whether this guardian's key, issued this way, must not be redeemed (the rule above)."""
    return issued_how != BY_HAND and bool(await reach(guardian_id, day))


@dataclass(frozen=True)
class Revoked:
    """A guardian whose unused keys or reset links were revoked when a guardian within their reach lost access."""

    source_id: str
    name: str
    keys: int
    links: int


async def revoke_within_reach(student_id: int, *, actor: int | None = None, ip: str = "") -> list[Revoked]:
    """After access to this student was switched off for a guardian (or set to be): every other guardian who may
    see the student and is now within reach loses their unused keys (not one handed over at the office) and,
    when the mailbox is the way in, their account's unused reset links. Audited (`key.revoked`,
    `password-reset.cancelled`, about the guardian). Joins the caller's transaction."""
    day = await access_day()
    now = clock.now()
    revoked = []
    for guardian_id in await guardians_who_may_see(student_id, day):
        within = await reach(guardian_id, day)
        if not within:
            continue
        keys = await ActivationKey.update({ActivationKey.revoked_at: now}).where(
            (ActivationKey.guardian == guardian_id) & ActivationKey.used_at.is_null()
            & ActivationKey.revoked_at.is_null() & (ActivationKey.expires_at > now)
            & (ActivationKey.issued_how != BY_HAND)).returning(ActivationKey.id)
        links = []
        if within.mailbox:
            links = await PasswordResetToken.update({PasswordResetToken.superseded_at: now}).where(
                PasswordResetToken.account.is_in(UserAccount.select(UserAccount.id).where(
                    UserAccount.person == guardian_id))
                & PasswordResetToken.used_at.is_null() & PasswordResetToken.superseded_at.is_null()
                & (PasswordResetToken.expires_at > now)).returning(PasswordResetToken.id)
        if not keys and not links:
            continue
        why = "why=" + "+".join(w for w, on in (("home", within.home), ("mailbox", within.mailbox)) if on)
        if keys:
            await audit.record("key.revoked", actor=actor, person=guardian_id, ip=ip,
                               detail=f"count={len(keys)} access-off-within-reach {why}")
        if links:
            await audit.record("password-reset.cancelled", actor=actor, person=guardian_id, ip=ip,
                               detail=f"count={len(links)} access-off-within-reach {why}")
        person = await Person.select(Person.source_id, Person.given_name, Person.family_name).where(
            Person.id == guardian_id).first()
        revoked.append(Revoked(person["source_id"], f"{person['given_name']} {person['family_name']}",
                               len(keys), len(links)))
    return revoked


def office_lines(revoked: list[Revoked]) -> list[str]:
    """What the command line and the imports tell the office (English, like the rest of their output)."""
    lines = []
    keys = [r for r in revoked if r.keys]
    links = [r for r in revoked if r.links]
    if keys:
        lines.append(f"{len(keys)} guardian(s) lost their unused activation key: a guardian whose portal access to "
                     f"one of their children is now off is listed at their home or reads their email, and could "
                     f"use it; give them a key at the office (photo ID): " + "; ".join(
                         f"{r.name} ({r.source_id})" for r in keys))
    if links:
        lines.append(f"{len(links)} guardian(s) lost a password reset link sent to an email address such a guardian "
                     f"reads; they can ask for a new one once they have an address of their own: " + "; ".join(
                         f"{r.name} ({r.source_id})" for r in links))
    return lines
