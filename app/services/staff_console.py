"""The school office's console (docs/design.md §5): finding students and guardians, issuing keys in person,
accounts, the household change queue, district preferences and the audit log.

School staff see only their school's students and those students' guardians and households; a district
admin sees all. Anything outside a staff member's scope is answered like something that does not exist.
Every action writes an audit event with the staff account as the actor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from app import clock
from app.database import transaction
from app.rules.errors import N_, FieldError
from app.rules.key_requests import PHOTO_ID_TYPES, decision_reason_errors, normalise_student_number
from app.rules.preferences import PARSERS, PreferenceError, display_value, parse_preference
from app.services import audit, rate_limits, sessions
from app.services.access import guardians_who_may_see, may_see
from app.services.activation_keys import IssuedKey, KeyRefused, issue_key
from app.services.eligibility import is_eligible_guardian
from app.services.preferences import load_preferences, set_preference
from app.services.second_factor import has_second_factor
from app.services.sessions import SignedInAccount
from app.services.sis_sync import record_approved_address
from app.services.sign_in import login_throttle_key
from app.tables import (ActivationKey, AuditEvent, GuardianLink, Household, HouseholdChangeRequest, HouseholdMember,
                        Person, School, SchoolEnrollment, UserAccount)

STAFF_ROLES = ("school-staff", "district-admin")
SIGN_IN_ACTIONS = ("login.succeeded", "login.failed", "login.refused-locked", "login.throttled", "logout")
MOST_FOUND = 50
AUDIT_PAGE_SIZE = 50


# --- scope ---------------------------------------------------------------------------------------------

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
    return SchoolEnrollment.select(SchoolEnrollment.student).where(SchoolEnrollment.school == school_id)


def _guardians_at_school(school_id: int | None):
    return GuardianLink.select(GuardianLink.guardian).where(GuardianLink.student.is_in(students_at_school(school_id)))


def _people_in_scope(staff: SignedInAccount, kind: str):
    """A condition on Person for the staff member's students or guardians (None: everyone)."""
    if sees_all_schools(staff):
        return None
    if kind == "student":
        return Person.id.is_in(students_at_school(staff.school_id))
    return Person.id.is_in(_guardians_at_school(staff.school_id))


async def _person_for_staff(staff: SignedInAccount, public_id: UUID, kind: str) -> Person | None:
    query = Person.objects().where((Person.public_id == public_id) & (Person.kind == kind))
    scope = _people_in_scope(staff, kind)
    return await (query.where(scope) if scope is not None else query).first()


# --- finding people ------------------------------------------------------------------------------------

def _name_has(word: str):
    """Given or family name containing the word, ignoring case (SQLite's LIKE already ignores ASCII case;
    PostgreSQL needs ILIKE)."""
    from piccolo.engine.sqlite import SQLiteEngine

    from app.database import engine

    if isinstance(engine(), SQLiteEngine):
        return Person.given_name.like(f"%{word}%") | Person.family_name.like(f"%{word}%")
    return Person.given_name.ilike(f"%{word}%") | Person.family_name.ilike(f"%{word}%")


def _name_has_all(words: list[str]):
    condition = None
    for word in words:
        condition = _name_has(word) if condition is None else condition & _name_has(word)
    return condition


async def find_people(staff: SignedInAccount, typed: str) -> dict[str, list[dict]]:
    """Students by name or student number, guardians by name or email, within the staff member's scope."""
    words = [w for w in typed.split() if len(w) <= 60][:4]
    if not words:
        return {"students": [], "guardians": []}
    by_name = _name_has_all(words)
    found: dict[str, list[dict]] = {}
    for kind, also in (("student", Person.student_number == normalise_student_number(typed)),
                       ("guardian", Person.email == typed.strip().lower())):
        query = Person.select(Person.public_id, Person.given_name, Person.family_name, Person.student_number,
                              Person.email).where((Person.kind == kind) & (by_name | also))
        scope = _people_in_scope(staff, kind)
        if scope is not None:
            query = query.where(scope)
        found[f"{kind}s"] = await query.order_by(Person.family_name).order_by(Person.given_name).limit(MOST_FOUND)
    return found


async def student_for_staff(staff: SignedInAccount, public_id: UUID, *, ip: str) -> dict | None:
    student = await _person_for_staff(staff, public_id, "student")
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
    ).where(GuardianLink.student == student.id).order_by(GuardianLink.id)
    allowed = set(await guardians_who_may_see(student.id))
    for link in guardians:
        link["access_on"] = link["guardian_id"] in allowed  # today: flags, restrictions, the 18th birthday
    await audit.record("staff.viewed-student", actor=staff.id, person=student.id, ip=ip)
    return {"student": student, "enrollments": enrollments, "guardians": guardians}


async def guardian_for_staff(staff: SignedInAccount, public_id: UUID, *, ip: str) -> dict | None:
    guardian = await _person_for_staff(staff, public_id, "guardian")
    if guardian is None:
        return None
    students = await GuardianLink.select(
        GuardianLink.student.public_id.as_alias("public_id"),
        GuardianLink.student.given_name.as_alias("given_name"),
        GuardianLink.student.family_name.as_alias("family_name"),
        GuardianLink.student.student_number.as_alias("student_number"),
        GuardianLink.student.id.as_alias("student_id"),
        GuardianLink.relationship, GuardianLink.is_guardian, GuardianLink.portal_access,
    ).where(GuardianLink.guardian == guardian.id).order_by(GuardianLink.id)
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
        sign_ins = await AuditEvent.select(AuditEvent.at, AuditEvent.action, AuditEvent.ip).where(
            (AuditEvent.account == account["id"]) & AuditEvent.action.is_in(list(SIGN_IN_ACTIONS))
        ).order_by(AuditEvent.at, ascending=False).limit(20)
        account["locked"] = account["locked_until"] is not None and account["locked_until"] > now
        account["second_factor"] = await has_second_factor(account["id"])  # issue 14
    await audit.record("staff.viewed-guardian", actor=staff.id, person=guardian.id,
                       account=account["id"] if account else None, ip=ip)
    return {"guardian": guardian, "students": students, "portal_account": account, "keys": keys, "sign_ins": sign_ins,
            "eligible": await is_eligible_guardian(guardian.id)}


# --- in person -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class InPersonKey:
    issued: IssuedKey | None = None
    errors: list[FieldError] = field(default_factory=list)


async def issue_key_in_person(staff: SignedInAccount, guardian_public_id: UUID, photo_id_type: str,
                              id_checked: bool, *, ip: str) -> InPersonKey | None:
    """A key for a guardian standing at the office, after staff checked a photo ID (its kind is recorded,
    never its number). Issuing revokes the guardian's older unused keys. None: no such guardian."""
    guardian = await _person_for_staff(staff, guardian_public_id, "guardian")
    if guardian is None:
        return None
    errors = []
    if photo_id_type not in PHOTO_ID_TYPES:
        errors.append(FieldError("photo_id_type", N_("Choose the kind of photo ID you checked")))
    if not id_checked:
        errors.append(FieldError("id_checked", N_(
            "Confirm that you checked a photo ID and that it shows this guardian")))
    if errors:
        return InPersonKey(errors=errors)
    try:
        async with transaction():
            issued = await issue_key(guardian, how="in-person", issued_by=staff.id, photo_id_type=photo_id_type,
                                     ip=ip)
    except KeyRefused as refused:
        message = (N_("This guardian already has an account: help them with Forgot Your Password? or unlock it")
                   if "already has" in str(refused) else
                   N_("This guardian cannot get a key: the guardian and portal flags must be on for a student "
                      "who is enrolled now"))
        return InPersonKey(errors=[FieldError("photo_id_type", message)])
    return InPersonKey(issued=issued)


# --- accounts ------------------------------------------------------------------------------------------

ACCOUNT_ACTIONS = ("unlock", "disable", "enable", "revoke-keys")


async def change_guardian_account(staff: SignedInAccount, guardian_public_id: UUID, action: str, *,
                                  ip: str) -> str | None:
    """Unlock, disable or enable a guardian's account, or revoke their unused keys. Returns what happened
    (a notice name), or None when there is no such guardian in scope."""
    guardian = await _person_for_staff(staff, guardian_public_id, "guardian")
    if guardian is None or action not in ACCOUNT_ACTIONS:
        return None
    now = clock.now()
    async with transaction():
        if action == "revoke-keys":
            revoked = await ActivationKey.update({ActivationKey.revoked_at: now}).where(
                (ActivationKey.guardian == guardian.id) & ActivationKey.used_at.is_null()
                & ActivationKey.revoked_at.is_null()
            ).returning(ActivationKey.id)
            await audit.record("key.revoked", actor=staff.id, person=guardian.id, ip=ip,
                               detail=f"count={len(revoked)}")
            return "keys-revoked"
        account = await UserAccount.objects().where(UserAccount.person == guardian.id).first()
        if account is None:
            return "no-account"
        if action == "unlock":
            await UserAccount.update({UserAccount.locked_until: None}).where(UserAccount.id == account.id)
            await rate_limits.clear(login_throttle_key(account.username))
        else:
            await UserAccount.update({UserAccount.disabled: action == "disable"}).where(UserAccount.id == account.id)
            if action == "disable":
                await sessions.end_sessions_of(account.id)
        done = {"unlock": "account.unlocked", "disable": "account.disabled", "enable": "account.enabled"}[action]
        await audit.record(done, actor=staff.id, account=account.id, person=guardian.id, ip=ip)
    return done.replace("account.", "account-")


# --- household changes ---------------------------------------------------------------------------------

def _household_scope(staff: SignedInAccount):
    if sees_all_schools(staff):
        return None
    return HouseholdChangeRequest.household.is_in(HouseholdMember.select(HouseholdMember.household).where(
        HouseholdMember.person.is_in(students_at_school(staff.school_id))))


def _household_changes(staff: SignedInAccount):
    query = HouseholdChangeRequest.select(
        HouseholdChangeRequest.id, HouseholdChangeRequest.address_line1, HouseholdChangeRequest.address_line2,
        HouseholdChangeRequest.city, HouseholdChangeRequest.state, HouseholdChangeRequest.postal_code,
        HouseholdChangeRequest.created_at, HouseholdChangeRequest.status, HouseholdChangeRequest.decision_reason,
        HouseholdChangeRequest.household.name.as_alias("household_name"),
        HouseholdChangeRequest.household.address_line1.as_alias("old_line1"),
        HouseholdChangeRequest.household.address_line2.as_alias("old_line2"),
        HouseholdChangeRequest.household.city.as_alias("old_city"),
        HouseholdChangeRequest.household.state.as_alias("old_state"),
        HouseholdChangeRequest.household.postal_code.as_alias("old_postal_code"),
        HouseholdChangeRequest.requested_by.username.as_alias("requested_by"),
        HouseholdChangeRequest.requested_by.person.given_name.as_alias("requester_given_name"),
        HouseholdChangeRequest.requested_by.person.family_name.as_alias("requester_family_name"),
    )
    scope = _household_scope(staff)
    return query.where(scope) if scope is not None else query


async def pending_household_changes(staff: SignedInAccount) -> list[dict]:
    return await _household_changes(staff).where(HouseholdChangeRequest.status == "pending").order_by(
        HouseholdChangeRequest.created_at)


async def household_change_for_staff(staff: SignedInAccount, change_id: int) -> dict | None:
    return await _household_changes(staff).where(HouseholdChangeRequest.id == change_id).first()


@dataclass(frozen=True)
class HouseholdDecision:
    done: bool = False
    errors: list[FieldError] = field(default_factory=list)


async def decide_household_change(staff: SignedInAccount, change_id: int, approve: bool, typed_reason: str, *,
                                  ip: str) -> HouseholdDecision | None:
    """Approve (the new address is applied to the household) or deny with a reason. None: not found."""
    query = HouseholdChangeRequest.objects().where(HouseholdChangeRequest.id == change_id)
    scope = _household_scope(staff)
    change = await (query.where(scope) if scope is not None else query).first()
    if change is None:
        return None
    reason, errors = ("", []) if approve else decision_reason_errors(typed_reason)
    if errors:
        return HouseholdDecision(errors=errors)
    now = clock.now()
    async with transaction():
        claimed = await HouseholdChangeRequest.update({
            HouseholdChangeRequest.status: "approved" if approve else "denied",
            HouseholdChangeRequest.decided_at: now, HouseholdChangeRequest.decided_by: staff.id,
            HouseholdChangeRequest.decision_reason: reason,
        }).where((HouseholdChangeRequest.id == change.id) & (HouseholdChangeRequest.status == "pending")).returning(
            HouseholdChangeRequest.id)
        if not claimed:
            return HouseholdDecision(errors=[FieldError("reason", N_("This change has already been decided"))])
        if approve:
            await record_approved_address(change, staff.id, now)
            await Household.update({
                Household.address_line1: change.address_line1, Household.address_line2: change.address_line2,
                Household.city: change.city, Household.state: change.state,
                Household.postal_code: change.postal_code,
            }).where(Household.id == change.household)
        await audit.record("household-change.approved" if approve else "household-change.denied", actor=staff.id,
                           account=change.requested_by, ip=ip,
                           detail=f"change={change.id} household={change.household}" + (
                               f" reason={reason}" if reason else ""))
    return HouseholdDecision(done=True)


async def export_household_changes(staff: SignedInAccount, *, ip: str) -> str:
    """The approved changes as CSV for the SIS (the same file as `homeroom export household-changes`).
    A disclosure of addresses, so it is recorded (FERPA §99.32)."""
    from io import StringIO

    from app.exports.household_changes import write_household_changes

    out = StringIO(newline="")
    count = await write_household_changes(out, for_spreadsheet=True)
    await audit.record("household-change.exported", actor=staff.id, ip=ip, detail=f"rows={count}")
    return out.getvalue()


# --- district preferences ------------------------------------------------------------------------------

async def change_preferences(staff: SignedInAccount, typed: dict[str, str], *, ip: str) -> list[FieldError]:
    """Check every preference; save them only if all are valid, auditing each one that changed."""
    errors = []
    for name in PARSERS:
        try:
            parse_preference(name, typed.get(name, ""))
        except PreferenceError as error:
            errors.append(FieldError(name, error.message, error.params))
    if errors:
        return errors
    current = await load_preferences()
    async with transaction():
        for name in PARSERS:
            old = display_value(getattr(current, name))
            new = display_value(parse_preference(name, typed[name]))
            if new != old:
                await set_preference(name, typed[name])
                await audit.record("preference.changed", actor=staff.id, ip=ip, detail=f"{name}: {old} -> {new}")
    return []


# --- the audit log -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditFilter:
    person: str = ""  # a name, sourcedId, email or username
    student: str = ""  # a student number: events about the student and the student's guardians
    action: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1


@dataclass(frozen=True)
class AuditPage:
    events: list[dict]
    page: int
    has_more: bool
    actions: list[str]


def _day_start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)


async def audit_log(wanted: AuditFilter) -> AuditPage:
    """Newest first, a page at a time. Read-only: the table is append-only."""
    prefs = await load_preferences()
    query = AuditEvent.select(
        AuditEvent.at, AuditEvent.action, AuditEvent.ip, AuditEvent.detail,
        AuditEvent.actor.username.as_alias("actor"), AuditEvent.account.username.as_alias("account"),
        AuditEvent.person.given_name.as_alias("person_given_name"),
        AuditEvent.person.family_name.as_alias("person_family_name"),
        AuditEvent.person.kind.as_alias("person_kind"),
    )
    conditions: list[Any] = []
    if wanted.person.strip():
        text = wanted.person.strip()
        words = [w for w in text.split() if len(w) <= 60][:4] or [text[:60]]
        by_name = _name_has_all(words)
        people = Person.select(Person.id).where(by_name | (Person.source_id == text) | (Person.email == text.lower()))
        accounts = UserAccount.select(UserAccount.id).where(
            (UserAccount.username_key == text.lower()[:30]) | UserAccount.person.is_in(people))
        conditions.append(AuditEvent.person.is_in(people) | AuditEvent.account.is_in(accounts)
                          | AuditEvent.actor.is_in(accounts))
    if wanted.student.strip():
        students = Person.select(Person.id).where(
            (Person.student_number == normalise_student_number(wanted.student)) & (Person.kind == "student"))
        guardians = GuardianLink.select(GuardianLink.guardian).where(GuardianLink.student.is_in(students))
        conditions.append(AuditEvent.person.is_in(students) | AuditEvent.person.is_in(guardians))
    if wanted.action:
        conditions.append(AuditEvent.action == wanted.action)
    if wanted.since:
        conditions.append(AuditEvent.at >= _day_start(wanted.since, prefs.time_zone))
    if wanted.until:
        conditions.append(AuditEvent.at < _day_start(date.fromordinal(wanted.until.toordinal() + 1),
                                                     prefs.time_zone))
    for condition in conditions:
        query = query.where(condition)
    page = max(1, wanted.page)
    rows = await query.order_by(AuditEvent.at, ascending=False).order_by(AuditEvent.id, ascending=False).offset(
        (page - 1) * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE + 1)
    actions = sorted(r["action"] for r in await AuditEvent.select(AuditEvent.action).distinct())
    return AuditPage(events=rows[:AUDIT_PAGE_SIZE], page=page, has_more=len(rows) > AUDIT_PAGE_SIZE,
                     actions=actions)


# --- staff accounts: app/services/staff_accounts.py (issue 14); kept importable from here ---------------

from app.services.staff_accounts import create_staff_account  # noqa: E402,F401
