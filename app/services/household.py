"""Household information (docs/design.md §4.9): the guardian's household address, their own phones and email,
the yearly "This is correct", and the changes a parent can make.

A guardian only ever reaches their own household: every function starts from the signed-in account's
person, never from an id the client sent. Phone and email changes need the current password (security
note G7); phones change at once, an email only when its confirmation link is opened, and the address on
file is told either way. An address change is a request that staff decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from app import clock
from app.database import hold_row, transaction
from app.mail.outbox import About, enqueue_email
from app.rules.addresses import Address, address_errors, tidy_address
from app.rules.district_day import district_day
from app.rules.emails import normalise_email
from app.rules.errors import N_, FieldError
from app.rules.phones import PHONE_KINDS, PhoneCheck, check_phone
from app.rules.school_year import school_year_label, school_year_of
from app.rules.tokens import new_token, token_digest
from app.services import audit, rate_limits
from app.services.access import (access_day, link_in_force_args, link_in_force_sql, remember_restricted_addresses,
                                 students_hidden_from)
from app.services.credentials import check_current_password
from app.services.preferences import load_preferences
from app.services.sessions import SignedInAccount
from app.services.sis_sync import record_portal_change
from app.tables import (
    ContactPhone,
    EmailChange,
    GuardianLink,
    Household,
    HouseholdChangeRequest,
    HouseholdMember,
    HouseholdVerification,
    PasswordResetToken,
    Person,
    UserAccount,
)

EMAIL_LINK_LIFETIME = timedelta(minutes=60)
EMAIL_LINKS_PER_HOUR = 5  # per person: a stolen session cannot flood strangers' inboxes
MOST_PHONES = 5
LARGEST_ID = 2**31 - 1  # ids in URLs beyond the column's range are simply not found


@dataclass(frozen=True)
class HouseholdInformation:
    household: dict | None
    other_members: list[tuple[str, str]]  # (name, person kind: student | guardian)
    email: str | None
    phones: list[dict]
    pending_address: dict | None  # a change staff have not decided yet; its address only for who asked for it
    pending_email: dict | None
    school_year: str
    verified: bool
    # False for a member with a child in the household whom they may not see (issue 11): the office changes it.
    may_ask_address_change: bool = True


@dataclass(frozen=True)
class ContactChange:
    errors: list[FieldError] = field(default_factory=list)
    not_found: bool = False

    @property
    def done(self) -> bool:
        return not self.errors and not self.not_found


async def home_household_of(person_id: int) -> int | None:
    """The household whose address a guardian is shown, verifies and gets letters at. Only ever one they are a
    member of (never a child's other household: custody). A guardian in several (an SIS that lists a parent
    at two addresses) gets the one a child lives in with them (Ed-Fi livesWith), else one a child of theirs
    is in, else the first they were added to. Only children they may see count (issue 11), and a household
    with a child they may not see and none they may is never theirs, even their only one: it is that child's
    home, not to be shown, asked about or sent letters at. None then (the page says no address is on file)."""
    mine = [r["household"] for r in await HouseholdMember.select(HouseholdMember.household).where(
        HouseholdMember.person == person_id).order_by(HouseholdMember.id)]
    if not mine:
        return None
    children = {r["student"]: (r["lives_with"], r["seen"]) for r in await GuardianLink.raw(
        f"SELECT l.student, l.lives_with, CASE WHEN {link_in_force_sql('l')} THEN 1 ELSE 0 END AS seen "
        "FROM guardian_link l WHERE l.guardian = {}", *link_in_force_args(await access_day()), person_id)}
    lives: set[int] = set()  # households with a child they may see who lives with them
    seen: set[int] = set()  # ... with a child they may see
    hidden: set[int] = set()  # ... with a child they may not see
    for row in await HouseholdMember.select(HouseholdMember.household, HouseholdMember.person).where(
            HouseholdMember.household.is_in(mine) & HouseholdMember.person.is_in(list(children) or [0])):
        lives_with, may_see = children[row["person"]]
        (seen if may_see else hidden).add(row["household"])
        if may_see and lives_with:
            lives.add(row["household"])
    choices = [h for h in mine if h in lives] or [h for h in mine if h in seen] or [h for h in mine if h not in hidden]
    return choices[0] if choices else None


async def _hides_a_child(household_id: int, person_id: int) -> bool:
    """Whether a child of this guardian whom they may not see is a member of this household (issue 11)."""
    hidden = await students_hidden_from(person_id)
    return bool(hidden) and await HouseholdMember.exists().where(
        (HouseholdMember.household == household_id) & HouseholdMember.person.is_in(list(hidden)))


async def _current_school_year() -> int:
    prefs = await load_preferences()
    return school_year_of(district_day(clock.now(), prefs.time_zone))


async def _is_verified(account_id: int, household_id: int, school_year: int) -> bool:
    return await HouseholdVerification.exists().where(
        (HouseholdVerification.household == household_id)
        & (HouseholdVerification.account == account_id)
        & (HouseholdVerification.school_year == school_year)
    )


async def household_information(guardian: SignedInAccount) -> HouseholdInformation:
    person_id = guardian.person_id
    school_year = await _current_school_year()
    household_id = await home_household_of(person_id)
    household = other_members = pending_address = None
    may_ask = True
    if household_id is not None:
        household = await Household.select(
            Household.id, Household.name, Household.address_line1, Household.address_line2, Household.city,
            Household.state, Household.postal_code,
        ).where(Household.id == household_id).first()
        hidden = await students_hidden_from(person_id)  # a child whose access is off is not named (issue 11)
        members = await HouseholdMember.select(
            HouseholdMember.person.given_name.as_alias("given_name"),
            HouseholdMember.person.family_name.as_alias("family_name"), HouseholdMember.person,
            HouseholdMember.person.kind.as_alias("kind"),
        ).where((HouseholdMember.household == household_id) & (HouseholdMember.person != person_id)).order_by(
            HouseholdMember.person.given_name)
        # Each with what they are to the children (a mother and a daughter both named Maria Lopez read as one
        # person listed twice: a parent tester's find).
        other_members = [(f"{m['given_name']} {m['family_name']}", m["kind"]) for m in members
                         if m["person"] not in hidden]
        may_ask = not any(m["person"] in hidden for m in members)
        pending_address = await HouseholdChangeRequest.select(
            HouseholdChangeRequest.address_line1, HouseholdChangeRequest.address_line2, HouseholdChangeRequest.city,
            HouseholdChangeRequest.state, HouseholdChangeRequest.postal_code, HouseholdChangeRequest.created_at,
            HouseholdChangeRequest.requested_by,
        ).where(
            (HouseholdChangeRequest.household == household_id) & (HouseholdChangeRequest.status == "pending")
        ).order_by(HouseholdChangeRequest.id, ascending=False).first()
        if pending_address is not None and pending_address["requested_by"] != guardian.id:
            # Another member's request: that it waits, not where to (it may be where a child moves, away from
            # a parent whose access is off: issue 11).
            pending_address = {"asked_by_me": False}
        elif pending_address is not None:
            pending_address["asked_by_me"] = True
    person = await Person.select(Person.email).where(Person.id == person_id).first()
    return HouseholdInformation(
        household=household,
        other_members=other_members or [],
        email=person["email"] if person else None,
        phones=await _phones_of(person_id),
        pending_address=pending_address,
        pending_email=await EmailChange.select(EmailChange.new_email, EmailChange.expires_at).where(
            (EmailChange.person == person_id) & _usable_email_change()
        ).order_by(EmailChange.id, ascending=False).first(),
        school_year=school_year_label(school_year),
        verified=household_id is not None and await _is_verified(guardian.id, household_id, school_year),
        may_ask_address_change=may_ask,
    )


async def _phones_of(person_id: int) -> list[dict]:
    return await ContactPhone.select(ContactPhone.id, ContactPhone.kind, ContactPhone.number).where(
        ContactPhone.person == person_id).order_by(ContactPhone.id)


async def household_verification_due(guardian: SignedInAccount) -> str | None:
    """The school year (as a label) the guardian has not yet confirmed their household for, or None."""
    if guardian.person_id is None:
        return None
    household_id = await home_household_of(guardian.person_id)
    if household_id is None:
        return None
    school_year = await _current_school_year()
    if await _is_verified(guardian.id, household_id, school_year):
        return None
    return school_year_label(school_year)


async def verify_household(guardian: SignedInAccount, *, ip: str) -> bool:
    """"This is correct": recorded once per guardian, household and school year. False if no household."""
    household_id = await home_household_of(guardian.person_id)
    if household_id is None:
        return False
    school_year = await _current_school_year()
    async with transaction():
        if not await _is_verified(guardian.id, household_id, school_year):
            await HouseholdVerification.insert(HouseholdVerification(
                household=household_id, account=guardian.id, school_year=school_year, verified_at=clock.now()))
            await audit.record("household.verified", actor=guardian.id, account=guardian.id,
                               person=guardian.person_id, ip=ip, detail=f"school year {school_year}")
    return True


# Phones -------------------------------------------------------------------------------------------------


async def find_phone(guardian: SignedInAccount, phone_id: int) -> dict | None:
    """One of the guardian's own phones; another person's phone is as missing as one that never existed."""
    if not 0 < phone_id <= LARGEST_ID:
        return None
    return await ContactPhone.select(ContactPhone.id, ContactPhone.kind, ContactPhone.number).where(
        (ContactPhone.id == phone_id) & (ContactPhone.person == guardian.person_id)).first()


def _phone_errors(kind: str, check: PhoneCheck) -> list[FieldError]:
    errors = []
    if kind not in PHONE_KINDS:
        errors.append(FieldError("kind", N_("Choose whether this is a mobile, home or work number")))
    if check.problem:
        errors.append(FieldError("number", check.problem, check.params))
    return errors


async def save_phone(guardian: SignedInAccount, phone_id: int | None, kind: str, typed_number: str,
                     current_password: str, *, ip: str) -> ContactChange:
    """Add a phone (phone_id None) or change one of the guardian's phones."""
    existing = None
    if phone_id is not None:
        existing = await find_phone(guardian, phone_id)
        if existing is None:
            return ContactChange(not_found=True)
    check = check_phone(typed_number)
    errors = _phone_errors(kind, check)
    phones = await _phones_of(guardian.person_id)
    if not errors and any(p["number"] == check.e164 and p["id"] != phone_id for p in phones):
        errors.append(FieldError("number", N_("This number is already on file")))
    if not errors and existing is None and len(phones) >= MOST_PHONES:
        errors.append(FieldError("number", N_("You can keep at most %(most)d phone numbers. Remove one first"),
                                 {"most": MOST_PHONES}))
    errors += await _password_problem(guardian, current_password, ip=ip, checked=not errors)
    if errors:
        return ContactChange(errors=errors)
    async with transaction():
        # Checked again with the guardian's row held: two sends at once (a double tap without JavaScript) both passed
        # the check above and stored the number twice, with two emails (a tester's find). The second now finds the
        # number the first stored: the same number of the same kind is what was asked, so it is answered as done.
        await hold_row("person", guardian.person_id)
        phones = await _phones_of(guardian.person_id)
        again = [p for p in phones if p["number"] == check.e164 and p["id"] != phone_id]
        if again:
            return ContactChange() if existing is None and again[0]["kind"] == kind else ContactChange(
                errors=[FieldError("number", N_("This number is already on file"))])
        if existing is None and len(phones) >= MOST_PHONES:  # ten different numbers at once got past it (a retester)
            return ContactChange(errors=[FieldError("number", N_(
                "You can keep at most %(most)d phone numbers. Remove one first"), {"most": MOST_PHONES})])
        if existing is None:
            await ContactPhone.insert(ContactPhone(person=guardian.person_id, kind=kind, number=check.e164))
            what = "added"
        else:
            # The parent's number now: an import no longer treats it as the SIS's (app/services/sis_sync.py).
            await ContactPhone.update({ContactPhone.kind: kind, ContactPhone.number: check.e164,
                                       ContactPhone.from_sis: False, ContactPhone.source: ""}).where(
                ContactPhone.id == existing["id"])
            what = "changed"
        await record_portal_change(f"phone:{kind}", check.e164, existing["number"] if existing else "",
                                   person=guardian.person_id, by=guardian.id)
        await _phone_changed(guardian, what, kind, check.e164, ip=ip)
    return ContactChange()


async def remove_phone(guardian: SignedInAccount, phone_id: int, current_password: str, *, ip: str) -> ContactChange:
    phone = await find_phone(guardian, phone_id)
    if phone is None:
        return ContactChange(not_found=True)
    errors = await _password_problem(guardian, current_password, ip=ip)
    if errors:
        return ContactChange(errors=errors)
    async with transaction():
        await ContactPhone.delete().where(ContactPhone.id == phone["id"])
        await record_portal_change(f"phone:{phone['kind']}", "", phone["number"], person=guardian.person_id,
                                   by=guardian.id)
        await _phone_changed(guardian, "removed", phone["kind"], phone["number"], ip=ip)
    return ContactChange()


async def _password_problem(guardian: SignedInAccount, password: str, *, ip: str, checked: bool = True
                            ) -> list[FieldError]:
    """The Current Password error, if any. When other fields are wrong the password is not checked (it is
    typed again anyway), but an empty one is still pointed out."""
    if not checked:
        return [] if password else [FieldError("current_password", N_("Enter your current password"))]
    problem = await check_current_password(guardian.id, password, ip=ip)
    return [problem] if problem else []


async def _phone_changed(guardian: SignedInAccount, what: str, kind: str, number: str, *, ip: str) -> None:
    """Inside the change's transaction: the audit event and a notice to the email on file."""
    await audit.record("phone.changed", actor=guardian.id, account=guardian.id, person=guardian.person_id, ip=ip,
                       detail=f"{what} {kind}")
    person = await Person.select(Person.email).where(Person.id == guardian.person_id).first()
    if person and person["email"]:
        await enqueue_email("phone-changed", person["email"], {
            **await _mail_context(), "what": what, "kind_label": PHONE_KINDS[kind], "last_digits": number[-4:],
            "when": clock.now()}, language=guardian.language, about=About(guardian.person_id, ()))


async def _mail_context() -> dict:
    prefs = await load_preferences()
    return {"portal_name": prefs.portal_name, "district_name": prefs.district_name,
            "help_phone": prefs.help_phone, "time_zone": prefs.time_zone}


# Email ----------------------------------------------------------------------------------------------------


def _usable_email_change():
    return (EmailChange.confirmed_at.is_null() & EmailChange.superseded_at.is_null()
            & (EmailChange.expires_at > clock.now()))


async def request_email_change(guardian: SignedInAccount, typed_email: str, current_password: str, *,
                               ip: str) -> ContactChange:
    """A confirmation link to the new address and a notice to the old one (which does not name the new one);
    nothing changes until the link is opened. A newer request supersedes older links."""
    new_email = normalise_email(typed_email)
    person = await Person.select(Person.email).where(Person.id == guardian.person_id).first()
    old_email = person["email"] if person else None
    errors = []
    if not typed_email.strip():
        errors.append(FieldError("email", N_("Enter your new email address")))
    elif typed_email.strip().lower() == old_email or new_email == old_email:
        errors.append(FieldError("email", N_("This is already your email address")))
    elif new_email is None:
        errors.append(FieldError("email", N_("Enter an email address in the right format, like name@example.com")))
    errors += await _password_problem(guardian, current_password, ip=ip, checked=not errors)
    if errors:
        return ContactChange(errors=errors)
    now = clock.now()
    tally = await rate_limits.hit(f"email-change:{guardian.person_id}", now + timedelta(hours=1))
    if tally.count > EMAIL_LINKS_PER_HOUR:
        return ContactChange(errors=[FieldError("email", N_(
            "You have asked for too many confirmation links in the last hour. Try again later"))])
    context = await _mail_context()
    async with transaction():
        # One request at a time per person: requests sent at the same moment each superseded none of the others'
        # new rows, and every one left a working link (an attacker's find, 5 at once on PostgreSQL).
        await hold_row("person", guardian.person_id)
        await EmailChange.update({EmailChange.superseded_at: now}).where(
            (EmailChange.person == guardian.person_id)
            & EmailChange.confirmed_at.is_null() & EmailChange.superseded_at.is_null())
        # The link is minted when the email is sent (app/services/outgoing_mail.py): until then the row
        # holds the digest of a token nobody has.
        [change] = await EmailChange.insert(EmailChange(
            person=guardian.person_id, new_email=new_email, token_hash=token_digest(new_token()),
            created_at=now, expires_at=now + EMAIL_LINK_LIFETIME))
        about = About(guardian.person_id, ())  # mail about the account (app/services/mail_access.py rule 3)
        await enqueue_email("email-change-confirm", new_email, {**context, "change_id": change["id"]},
                            language=guardian.language, about=about)
        if old_email:
            # Not the new address: the old one may be read by someone the guardian is moving away from.
            await enqueue_email("email-change-requested", old_email, {**context, "when": now},
                                language=guardian.language, about=about)
        await audit.record("email.change-requested", actor=guardian.id, account=guardian.id,
                           person=guardian.person_id, ip=ip)
    return ContactChange()


async def find_email_change(token: str) -> int | None:
    """The id of an email change whose link can still be used, or None."""
    if not token or len(token) > 100:
        return None
    row = await EmailChange.select(EmailChange.id).where(
        (EmailChange.token_hash == token_digest(token)) & _usable_email_change()).first()
    return row["id"] if row else None


async def email_change_awaiting(change_id: int) -> str | None:
    """The new address a usable link would confirm (shown on the page with the Confirm button)."""
    row = await EmailChange.select(EmailChange.new_email).where(
        (EmailChange.id == change_id) & _usable_email_change()).first()
    return row["new_email"] if row else None


async def confirm_email_change(change_id: int, *, ip: str) -> str | None:
    """The new address, now on file; None when the link was used, superseded or has expired since."""
    now = clock.now()
    async with transaction():
        claimed = await EmailChange.update({EmailChange.confirmed_at: now}).where(
            (EmailChange.id == change_id) & _usable_email_change()
        ).returning(EmailChange.person, EmailChange.new_email)
        if not claimed:
            return None
        person_id, new_email = claimed[0]["person"], claimed[0]["new_email"]
        # A guardian whose access to a child is off keeps the old address as theirs for the shared-mailbox
        # rule (app/services/mail_access.py): they may still read it.
        await remember_restricted_addresses(person_id, "changed")
        before = await Person.select(Person.email).where(Person.id == person_id).first()
        await Person.update({Person.email: new_email}).where(Person.id == person_id)
        account = await UserAccount.select(UserAccount.id).where(UserAccount.person == person_id).first()
        await record_portal_change("email", new_email, before["email"] if before else None, person=person_id,
                                   by=account["id"] if account else None, at=now)
        if account:
            # Reset links already sent to the old address stop working with it.
            await PasswordResetToken.update({PasswordResetToken.superseded_at: now}).where(
                (PasswordResetToken.account == account["id"])
                & PasswordResetToken.used_at.is_null() & PasswordResetToken.superseded_at.is_null())
        await audit.record("email.changed", actor=account["id"] if account else None,
                           account=account["id"] if account else None, person=person_id, ip=ip)
    return new_email


# Address --------------------------------------------------------------------------------------------------


ONLY_THE_OFFICE = N_("The school office makes changes to this address. Please call them")


async def request_address_change(guardian: SignedInAccount, typed: Address, *, ip: str) -> ContactChange:
    """A pending request for staff; a newer request from the household replaces an older pending one. Not from a
    member with a child in the household whom they may not see (issue 11): they could move the child's home, or
    replace the request of the parent who is moving the child away from them."""
    household_id = await home_household_of(guardian.person_id)
    if household_id is None:
        return ContactChange(not_found=True)
    if await _hides_a_child(household_id, guardian.person_id):
        return ContactChange(errors=[FieldError("address_line1", ONLY_THE_OFFICE)])
    address = tidy_address(typed.line1, typed.line2, typed.city, typed.state, typed.postal_code)
    errors = address_errors(address)
    if not errors:
        current = await Household.select().where(Household.id == household_id).first()
        if (current["address_line1"], current["address_line2"], current["city"], current["state"],
                current["postal_code"]) == (address.line1, address.line2, address.city, address.state,
                                            address.postal_code):
            errors.append(FieldError("address_line1", N_("This is the address we have already")))
    if errors:
        return ContactChange(errors=errors)
    now = clock.now()
    async with transaction():
        await HouseholdChangeRequest.update({HouseholdChangeRequest.status: "superseded",
                                             HouseholdChangeRequest.decided_at: now}).where(
            (HouseholdChangeRequest.household == household_id) & (HouseholdChangeRequest.status == "pending"))
        await HouseholdChangeRequest.insert(HouseholdChangeRequest(
            household=household_id, requested_by=guardian.id, address_line1=address.line1,
            address_line2=address.line2, city=address.city, state=address.state,
            postal_code=address.postal_code, status="pending", created_at=now))
        await audit.record("address.change-requested", actor=guardian.id, account=guardian.id,
                           person=guardian.person_id, ip=ip)
    return ContactChange()
