"""Reading the audit log (docs/design.md §5): district admins filter it by person, student, action and days,
newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any
from zoneinfo import ZoneInfo

from app.rules.key_requests import normalise_student_number, student_number_spellings
from app.services.preferences import load_preferences
from app.services.staff_scope import name_has_all_or
from app.tables import AuditEvent, GuardianLink, Person, UserAccount

AUDIT_PAGE_SIZE = 50


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
        people = Person.select(Person.id).where(
            name_has_all_or(text, (Person.source_id == text) | (Person.email == text.lower())))
        accounts = UserAccount.select(UserAccount.id).where(
            (UserAccount.username_key == text.lower()[:30]) | UserAccount.person.is_in(people))
        conditions.append(AuditEvent.person.is_in(people) | AuditEvent.account.is_in(accounts)
                          | AuditEvent.actor.is_in(accounts))
    if wanted.student.strip():
        students = Person.select(Person.id).where(
            Person.student_number.is_in(student_number_spellings(normalise_student_number(wanted.student)))
            & (Person.kind == "student"))
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
