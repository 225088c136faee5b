"""Online activation-key requests (docs/design.md §4.7) and the staff queue that decides them (§5).

The requester always gets the same reply, and every request does the same work: one SSN digest, one
lookup of the student and one of the student's guardians, whether or not the student exists. The SSN is
compared as an HMAC digest and then forgotten; only whether it matched is kept. A key goes only to an
email address already on file for a guardian of the student, never to the address typed in the form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from app import clock
from app.database import is_postgres, transaction
from app.i18n import LANGUAGES
from app.mail.outbox import About, enqueue_email, enqueue_request
from app.rules.emails import normalise_email
from app.rules.errors import N_, FieldError
from app.rules.key_requests import KeyRequestDetails, decision_reason_errors, student_number_spellings
from app.rules.languages import language_for_guardian
from app.rules.preferences import DistrictPreferences
from app.rules.ssn import digests_match, ssn_digest
from app.services import audit, rate_limits
from app.services.access import access_day, link_in_force_where
from app.services.activation_keys import IssuedKey, KeyRefused, issue_key
from app.services.key_reach import home_within_reach, reach
from app.services.mail_access import exposed_children
from app.services.preferences import load_preferences
from app.services.sessions import SignedInAccount
from app.services.staff_scope import sees_all_schools, students_at_school, within
from app.settings import get_settings
from app.tables import ContactPhone, GuardianLink, KeyRequest, Person, UserAccount

# Per student number: low, because the last four digits of an SSN are often known (docs/security.md A4).
REQUESTS_PER_STUDENT_NUMBER = 5
STUDENT_NUMBER_WINDOW = timedelta(days=1)
REQUESTS_PER_CLIENT = 20
CLIENT_WINDOW = timedelta(hours=1)
# Why the portal left a request to staff (stored with it in English, shown to staff in their language: PORTAL_REASONS).
PAST_LIMIT = N_("past the day's limit of online requests for this student number, so the portal did not decide it: "
                "check the other details, or ask for a photo ID at the school")
SHARES_WITH_BLOCKED = N_("a guardian whose access is off shares this guardian's home or email address")
PORTAL_REASONS = (PAST_LIMIT, SHARES_WITH_BLOCKED)


async def find_student_by_number(student_number: str) -> dict | None:
    """The student with this number as typed, else in capitals or small letters (rules.key_requests
    student_number_spellings): the exact spelling wins if two students' numbers differ only by case."""
    found = await Person.select(Person.id, Person.birth_date, Person.ssn_hash, Person.ssn_last4_hash,
                                Person.student_number).where(
        Person.student_number.is_in(student_number_spellings(student_number)) & (Person.kind == "student"))
    return min(found, key=lambda s: s["student_number"] != student_number, default=None)


async def guardians_on_file(student_number: str) -> list[dict]:
    """The guardians whose link to the student with this number is in force (app/services/access.py): none
    if there is no such student, found by the same one query either way."""
    return await GuardianLink.select(
        GuardianLink.guardian.id.as_alias("id"), GuardianLink.guardian.email.as_alias("email"),
    ).where(
        (GuardianLink.student.student_number.is_in(student_number_spellings(student_number)))
        & (GuardianLink.student.kind == "student")
        & link_in_force_where(await access_day())
    ).order_by(GuardianLink.id)


async def send_key_by_email(issued: IssuedKey, prefs: DistrictPreferences, *, language: str, student: int,
                            sis_language: str | None = None) -> None:
    """Call inside the transaction that issued the key. The address is the guardian's on file. The guardian
    has no account yet, so the language the SIS records for them (Ed-Fi, OneRoster) is used when the portal
    has it; otherwise the language the request was made in (issue 10 item 5). The key was asked for through
    `student`: it is not sent if access to that student is off when its turn comes (issue 11)."""
    language = language_for_guardian(None, sis_language, LANGUAGES, fallback=language)
    await enqueue_email("activation-key", issued.guardian_email, {
        "portal_name": prefs.portal_name, "district_name": prefs.district_name, "help_phone": prefs.help_phone,
        "key": issued.key, "activate_url": f"{get_settings().public_url}/activate",
        "expires_at": issued.expires_at, "time_zone": prefs.time_zone,
    }, language=language, about=About(issued.guardian_id, (student,)))


async def request_key_online(details: KeyRequestDetails, *, ip: str, language: str) -> bool:
    """Record the request and hand it to the mail worker, which issues and emails a key when everything
    matches (district setting: decide_online_request). Returns False when the client's limit was reached and
    nothing was recorded: the requester is told so honestly (issue 9), which says nothing about the student.
    Otherwise the requester is told the same thing whatever happened; past the student number's limit the request
    is recorded for staff only (PAST_LIMIT), never decided by the portal."""
    prefs = await load_preferences()
    now = clock.now()
    # A digest: what was typed is not kept (issue 9). In capitals: the number is found whatever its case
    # (student_number_spellings), so "s1" and "S1" must share one count, or each spelling would be 5 more tries.
    # The client first, counted as sign-in counts it (an IPv6 address's /64, an IPv4-mapped address as the
    # IPv4 one: 25 addresses of one /64 each got 20 requests, an attacker's find). A request the client's limit
    # refuses is not counted against the student number: one address over its limit could otherwise spend every
    # number's tries and lock the whole district out of the online request (an attacker's find).
    by_client = await rate_limits.hit(f"key-request:client:{rate_limits.client_of(ip)}", now + CLIENT_WINDOW)
    client_over = by_client.count > REQUESTS_PER_CLIENT
    by_number = None if client_over else await rate_limits.hit(
        "key-request:student:" + rate_limits.typed_digest("key-request", details.student_number.upper()),
        now + STUDENT_NUMBER_WINDOW)
    # A withheld SSN still costs one digest (of nothing that can match), so the work is the same.
    typed_digest = ssn_digest(get_settings().ssn_pepper, details.ssn or "withheld")
    student = await find_student_by_number(details.student_number)
    guardians = await guardians_on_file(student["student_number"] if student else details.student_number)
    if client_over:
        await audit.record("key-request.throttled", person=student["id"] if student else None, ip=ip,
                           detail="per client")
        return False
    # Past the student number's limit a request is still recorded, for staff only: the portal never issues a key
    # for it. Refusing it (as before) let one client spend a number's five tries with made-up details and lock the
    # family out of the online request for the day (an attacker's find); now the family's request reaches the
    # office with what matched, while guesses past the limit still never issue a key.
    past_limit = by_number.count > REQUESTS_PER_STUDENT_NUMBER
    on_file = student["ssn_last4_hash" if prefs.ssn_mode == "last4" else "ssn_hash"] if student else None
    ssn_matches = digests_match(typed_digest, on_file) and not details.ssn_withheld
    birth_date_matches = student is not None and student["birth_date"] == details.birth_date
    guardian = next((g for g in guardians if g["email"] and g["email"] == details.email), None)
    request = KeyRequest(
        requester_name=details.requester_name, relationship=details.relationship,
        requester_email=details.email, requester_phone=details.phone, language=language,
        student_number=details.student_number, student=student["id"] if student else None,
        guardian=guardian["id"] if guardian else None,
        matched_student_number=student is not None, matched_ssn=ssn_matches,
        matched_birth_date=birth_date_matches, matched_email_on_file=guardian is not None,
        ssn_withheld=details.ssn_withheld,
        status="pending", ip=ip[:45], created_at=now, decision_reason=PAST_LIMIT if past_limit else "",
    )
    # Every request is recorded and handed to the mail worker alike, which issues the key when everything
    # matched (decide_online_request): issuing it here made a request whose every detail matched measurably
    # slower (11.4 against 8.1 ms), so the reply's time confirmed a guessed SSN (an attacker's find).
    async with transaction():
        await request.save()
        await audit.record("key-request.received", person=student["id"] if student else None, ip=ip,
                           detail="status=pending" + (", past the student number's limit" if past_limit else ""))
        if not past_limit:
            await enqueue_request(KEY_REQUEST_DECISION, {"request": request.id, "ip": ip})
    return True


KEY_REQUEST_DECISION = "key-request-decision-request"  # an outbox request kind (app/mail/outbox.py)


async def decide_online_request(payload: dict) -> None:
    """The mail worker's half of an online request, inside the transaction that marks its outbox row done:
    when everything matched and the district issues keys on a match, the key is issued and emailed to the
    guardian's address on file; otherwise the request waits for staff, with the reason when one is known.
    Issue 11: a key opens every child its guardian may see, so it never goes to a mailbox that a guardian
    whose access to one of them is off (or set to be) also reads, nor to a guardian at whose home such a
    guardian is listed (app/services/key_reach.py)."""
    query = KeyRequest.objects().where((KeyRequest.id == payload["request"]) & (KeyRequest.status == "pending"))
    # Locked until this transaction ends (SQLite's is the write lock from its start): a staff member deciding the
    # same request meanwhile waits, then finds it decided (their update asks for "pending"); had they decided it
    # first, it is not found here.
    request = await (query.lock_rows() if is_postgres() else query).first()
    if request is None or not (request.matched_student_number and request.matched_ssn
                               and request.matched_birth_date and request.matched_email_on_file):
        return
    prefs = await load_preferences()
    ip = payload.get("ip", "")
    if await exposed_children(request.guardian, request.requester_email) or await home_within_reach(request.guardian):
        request.decision_reason = SHARES_WITH_BLOCKED
    elif prefs.auto_issue_on_match:
        person = await Person.objects().where(Person.id == request.guardian).first()
        try:
            issued = await issue_key(person, how="email", ip=ip)
        except KeyRefused as refused:  # already has an account, or not eligible: staff will look
            request.decision_reason = str(refused)[:255]
        else:
            await send_key_by_email(issued, prefs, language=request.language, student=request.student,
                                    sis_language=person.language)
            request.status, request.decided_at = "auto-issued", clock.now()
    await request.save()
    await audit.record("key-request.decided", person=request.student, ip=ip, detail=f"status={request.status}")


KEY_REQUEST_HANDLERS = {KEY_REQUEST_DECISION: decide_online_request}


# --- the staff queue ----------------------------------------------------------------------------------

def _in_scope(staff: SignedInAccount):
    """Requests a staff member may see: all for a district admin; a school's students' for school staff
    (requests naming no known student go to the district)."""
    if sees_all_schools(staff):
        return None
    return KeyRequest.student.is_in(students_at_school(staff.school_id))


async def pending_key_requests(staff: SignedInAccount) -> list[dict]:
    query = KeyRequest.select(
        KeyRequest.public_id, KeyRequest.requester_name, KeyRequest.relationship, KeyRequest.student_number,
        KeyRequest.student.given_name.as_alias("student_given_name"),
        KeyRequest.student.family_name.as_alias("student_family_name"),
        KeyRequest.matched_student_number, KeyRequest.matched_ssn, KeyRequest.matched_birth_date,
        KeyRequest.matched_email_on_file, KeyRequest.ssn_withheld, KeyRequest.created_at,
    ).where(KeyRequest.status == "pending").order_by(KeyRequest.created_at)
    return await within(query, _in_scope(staff))


async def key_request_for_staff(staff: SignedInAccount, public_id: UUID) -> dict | None:
    """One request with the student's guardians who could receive a key by email; None when it does not
    exist or is outside the staff member's schools (the same 404)."""
    query = KeyRequest.select(
        KeyRequest.all_columns(),
        KeyRequest.student.given_name.as_alias("student_given_name"),
        KeyRequest.student.family_name.as_alias("student_family_name"),
        KeyRequest.student.public_id.as_alias("student_public_id"),
        KeyRequest.decided_by.username.as_alias("decided_by_username"),
    ).where(KeyRequest.public_id == public_id)
    row = await within(query, _in_scope(staff)).first()
    if row is None:
        return None
    guardians = await _guardians_with_email(row["student"]) if row["student"] else []
    with_account = {a["person"] for a in await UserAccount.select(UserAccount.person).where(
        UserAccount.person.is_in([g["id"] for g in guardians]))} if guardians else set()
    # A guardian with an account already cannot be given a key: not offered, named apart (a clerk chose one and was
    # refused, a tester's find).
    row["guardians"] = [g for g in guardians if not g["shared_with_blocked"] and g["id"] not in with_account]
    row["guardians_with_account"] = [f"{g['given_name']} {g['family_name']}" for g in guardians
                                     if not g["shared_with_blocked"] and g["id"] in with_account]
    row["guardians_left_out"] = [f"{g['given_name']} {g['family_name']}" for g in guardians if g["shared_with_blocked"]]
    row["phones_on_file"] = await _guardian_phones(row["student"]) if row["student"] else []
    return row


async def _guardian_phones(student_id: int) -> list[dict]:
    """The phone numbers on file for the student's guardians (name, relationship, kind, number), for the clerk who
    calls to check who a requester is: the page told them to use "the phone number on file" and showed only the
    number typed in the request (a tester's find)."""
    day = await access_day()
    links = await GuardianLink.select(
        GuardianLink.guardian.id.as_alias("id"), GuardianLink.guardian.given_name.as_alias("given_name"),
        GuardianLink.guardian.family_name.as_alias("family_name"), GuardianLink.relationship,
    ).where((GuardianLink.student == student_id) & link_in_force_where(day)).order_by(GuardianLink.id)
    if not links:
        return []
    phones = await ContactPhone.select(ContactPhone.person, ContactPhone.kind, ContactPhone.number).where(
        ContactPhone.person.is_in([link["id"] for link in links])).order_by(ContactPhone.id)
    return [{"name": f"{link['given_name']} {link['family_name']}", "relationship": link["relationship"],
             "kind": phone["kind"], "number": phone["number"]}
            for link in links for phone in phones if phone["person"] == link["id"]]


async def _guardians_with_email(student_id: int) -> list[dict]:
    """The guardians who may see the student and have an address on file; `shared_with_blocked` when a guardian
    whose access to one of that guardian's children is off (or set to be) reads the address or is listed at their
    home (app/services/key_reach.py: a key sent there would open those children to them, so it is not offered)."""
    day = await access_day()
    rows = await GuardianLink.select(
        GuardianLink.guardian.public_id.as_alias("public_id"),
        GuardianLink.guardian.given_name.as_alias("given_name"),
        GuardianLink.guardian.family_name.as_alias("family_name"),
        GuardianLink.guardian.email.as_alias("email"),
        GuardianLink.guardian.id.as_alias("id"),
        GuardianLink.relationship,
    ).where(
        (GuardianLink.student == student_id) & link_in_force_where(day)
        & GuardianLink.guardian.email.is_not_null()
    ).order_by(GuardianLink.id)
    for row in rows:
        row["shared_with_blocked"] = bool(await reach(row["id"], day))
    return rows


@dataclass(frozen=True)
class Decision:
    done: bool = False
    errors: list[FieldError] = field(default_factory=list)


async def approve_key_request(staff: SignedInAccount, public_id: UUID, guardian_public_id: str, *,
                              ip: str) -> Decision | None:
    """Issue a key to the chosen guardian and email it to their address on file. None: no such request."""
    request = await key_request_for_staff(staff, public_id)
    if request is None:
        return None
    if request["status"] != "pending":
        return Decision(errors=[FieldError("guardian", N_("This request has already been decided"))])
    guardian = next((g for g in request["guardians"] if str(g["public_id"]) == guardian_public_id), None)
    if guardian is None:
        return Decision(errors=[FieldError("guardian", N_(
            "Choose the guardian whose email address on file should receive the key"))])
    prefs = await load_preferences()
    now = clock.now()
    try:
        async with transaction():
            claimed = await KeyRequest.update({
                KeyRequest.status: "approved", KeyRequest.decided_at: now, KeyRequest.decided_by: staff.id,
                KeyRequest.guardian: guardian["id"],
            }).where((KeyRequest.id == request["id"]) & (KeyRequest.status == "pending")).returning(KeyRequest.id)
            if not claimed:
                return Decision(errors=[FieldError("guardian", N_("This request has already been decided"))])
            person = await Person.objects().where(Person.id == guardian["id"]).first()
            issued = await issue_key(person, how="email", issued_by=staff.id, ip=ip)
            await send_key_by_email(issued, prefs, language=request["language"], student=request["student"],
                                    sis_language=person.language)
            if normalise_email(request["requester_email"] or "") != normalise_email(issued.guardian_email or ""):
                # Whoever asked waited for the office: told it was checked, in the words a denial gets too (a
                # tester's find: they heard nothing).
                await tell_requester(request, prefs)
            await audit.record("key-request.approved", actor=staff.id, person=guardian["id"], ip=ip,
                               detail=f"request={public_id}")
    except KeyRefused:  # raised before the key was written; the claim rolled back, so it is still pending
        return Decision(errors=[FieldError("guardian", N_(
            "This guardian cannot get a key: they already have an account, or have no student who is "
            "enrolled now. Deny the request and say why"))])
    return Decision(done=True)


async def tell_requester(request: dict, prefs: DistrictPreferences) -> None:
    """Email whoever asked that staff checked the request: the same words whatever staff decided, naming no one
    and quoting nothing they typed (key-request-checked). Inside the decision's transaction."""
    await enqueue_email("key-request-checked", request["requester_email"], {
        "portal_name": prefs.portal_name, "district_name": prefs.district_name, "help_phone": prefs.help_phone,
        "login_url": f"{get_settings().public_url}/",
    }, language=request["language"], about=About(None, ()))  # to whoever asked: about no account


async def deny_key_request(staff: SignedInAccount, public_id: UUID, typed_reason: str, *,
                           ip: str) -> Decision | None:
    """Record the reason (for staff) and send the requester the neutral email an approval sends too
    (`tell_requester`)."""
    request = await key_request_for_staff(staff, public_id)
    if request is None:
        return None
    reason, errors = decision_reason_errors(typed_reason)
    if errors:
        return Decision(errors=errors)
    prefs = await load_preferences()
    now = clock.now()
    async with transaction():
        claimed = await KeyRequest.update({
            KeyRequest.status: "denied", KeyRequest.decided_at: now, KeyRequest.decided_by: staff.id,
            KeyRequest.decision_reason: reason,
        }).where((KeyRequest.id == request["id"]) & (KeyRequest.status == "pending")).returning(KeyRequest.id)
        if not claimed:
            return Decision(errors=[FieldError("reason", N_("This request has already been decided"))])
        await tell_requester(request, prefs)
        await audit.record("key-request.denied", actor=staff.id, person=request["student"], ip=ip,
                           detail=f"request={public_id} reason={reason}")
    return Decision(done=True)
