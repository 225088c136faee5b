"""Same-day absence alerts (issue 12 item 2).

Every importer that writes attendance calls `after_attendance_import()` once its transaction has
committed (the attendance CSV importer does; the Ed-Fi importer calls the same function). It looks at
today's attendance as it now stands, so it does not matter what the import was or how often it ran:

- each guardian who may see a child with an unexcused absence today (the records pages' rule), whose
  account has alerts on, gets one pending alert for that child and day: the alert's unique key
  (guardian, child, day) makes a re-import, a second importer or a second process add nothing; guardians
  who share an email address get one alert between them (one email per mailbox per child per day);
- a pending alert whose absence is no longer unexcused (the school excused it, or marked the child
  present) is cancelled;
- an alert waits `absence_alert_delay_minutes` (a correction made in that time cancels it) and the
  guardian's quiet hours; then `send_due_alerts()` checks the absence once more and writes the email to
  the outbox in the same transaction that marks the alert queued, so it is written once.

`send_due_alerts()` also runs from the scheduler (app/services/alert_schedule.py), so an alert that waited
for quiet hours to end goes out without another import.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta

from app import clock
from app.database import transaction
from app.mail.outbox import About, enqueue_email
from app.rules.alerts import after_quiet_hours
from app.rules.district_day import district_day
from app.rules.emails import mailbox_key
from app.rules.preferences import DistrictPreferences
from app.services import audit
from app.services.alert_common import Recipient, day_text, email_context, guardian_language, may_see, student_url, \
    unsubscribe_url
from app.services.alert_preferences import choices_of, choices_of_accounts
from app.services.preferences import load_preferences
from app.services.school_calendar import calendar_days, days_without_school, schools_of
from app.tables import AbsenceAlert, AttendanceEvent
from app.rules.numbers import period_order

log = logging.getLogger("homeroom.alerts")
KIND = "absence-alert"

_UNEXCUSED_TODAY = """
SELECT ev.student, ev.period, c.title AS course, sec.title AS section_title
FROM attendance_event ev
LEFT JOIN section sec ON sec.id = ev.section
LEFT JOIN course c ON c.id = sec.course
WHERE ev.event_date = {} AND ev.category = 'unexcused-absence' {students}
"""

# The guardians who could be told about these students: linked, with an account that is on and an email
# address on file. Whether each may see the child is then asked of the records pages' own rule.
_CANDIDATES = """
SELECT l.guardian, l.student, a.id AS account, a.language, g.email, g.language AS sis_language,
       s.public_id, s.given_name
FROM guardian_link l
JOIN user_account a ON a.person = l.guardian
JOIN person g ON g.id = l.guardian
JOIN person s ON s.id = l.student
WHERE l.student IN ({students}) AND a.role = 'guardian' AND a.disabled = {} AND g.email IS NOT NULL
"""


# Today's alerts so far, with the address their guardian has on file now (where the email goes).
_EXISTING = """
SELECT al.key, al.guardian, al.student, al.status, g.email
FROM absence_alert al JOIN person g ON g.id = al.guardian
WHERE al.day = {}
"""


def _placeholders(values: list) -> str:
    return ", ".join("{}" for _ in values)


async def _unexcused(day: date, students: list[int] | None = None) -> dict[int, list[dict]]:
    """Today's unexcused absences by student: the daily event (period "") and the class periods."""
    found: dict[int, list[dict]] = defaultdict(list)
    if students is not None and not students:
        return found
    sql = _UNEXCUSED_TODAY.replace("{students}", f"AND ev.student IN ({_placeholders(students)})"
                                   if students is not None else "")
    for row in await AttendanceEvent.raw(sql, day, *(students or [])):
        found[row["student"]].append(row)
    if found:
        # No alert about a day that was no school day for the child (a weekend day the calendar did not make a
        # school day, or a closure of their schools): an absence then is a slip in the SIS, which home and the
        # attendance page show as not counted (school_calendar.days_without_school, the one rule for all three).
        calendar = await calendar_days(day, day)
        schools = await schools_of(list(found)) if calendar.entries else {}
        for student in list(found):
            if days_without_school(calendar, (day,), schools.get(student, ())):
                del found[student]
    return found


async def _candidates(students: list[int]) -> list[dict]:
    rows: list[dict] = []
    for start in range(0, len(students), 500):
        part = students[start:start + 500]
        rows += await AttendanceEvent.raw(_CANDIDATES.replace("{students}", _placeholders(part)), *part, False)
    return rows


async def after_attendance_import() -> dict[str, int]:
    """Call after an import that may have written attendance has committed. Returns what it did."""
    prefs = await load_preferences()
    now = clock.now()
    today = district_day(now, prefs.time_zone)
    absent = await _unexcused(today)
    added = 0
    if prefs.absence_alerts_offered and absent:
        candidates = await _candidates(sorted(absent))
        existing = await AbsenceAlert.raw(_EXISTING, today)
        keys = {r["key"] for r in existing}
        # A mailbox already told (or about to be) about this child today: another guardian's alert to it.
        told = {_mailbox(r) for r in existing if r["status"] in ("pending", "queued")}
        candidates = [c for c in candidates if _key(c["guardian"], c["student"], today) not in keys]
        choices = await choices_of_accounts(sorted({c["account"] for c in candidates}))
        # One alert per mailbox per child per day: guardians who share an address (say both parents read
        # lopez.family@example.org) get one email between them, not one each. Among those who want alerts and
        # may see the child, the alert belongs to the lowest account id (so two runs at once choose the same
        # guardian, and the unique key keeps it to one); one who turned alerts off or whose access is off never
        # takes it from the others. An earlier run's pending or queued alert to the address counts (a cancelled
        # one does not: it sent nothing, and the next import gives the alert to another guardian there).
        for c in sorted(candidates, key=lambda c: c["account"]):
            mailbox = _mailbox(c)
            if mailbox in told:
                continue
            wanted = choices[c["account"]]
            recipient = Recipient(c["account"], c["guardian"], c["email"], c["language"])
            if not wanted.absence_alerts or await may_see(recipient, str(c["public_id"]), today) is None:
                continue
            told.add(mailbox)
            due = after_quiet_hours(now + timedelta(minutes=prefs.absence_alert_delay_minutes),
                                    wanted.quiet_hours, prefs.time_zone)
            inserted = await AbsenceAlert.insert(AbsenceAlert(
                key=_key(c["guardian"], c["student"], today), guardian=c["guardian"], account=c["account"],
                student=c["student"], day=today, status="pending", due_at=due, created_at=now,
            )).on_conflict(target=AbsenceAlert.key, action="DO NOTHING").returning(AbsenceAlert.id)
            added += len(inserted)
    cancelled = await _cancel_excused(today, absent)
    sent = await send_due_alerts()
    return {"added": added, "cancelled": cancelled, "queued": sent}


def _key(guardian: int, student: int, day: date) -> str:
    return f"{guardian}:{student}:{day.isoformat()}"


def _mailbox(row: dict) -> tuple[int, str]:
    """The child and the mailbox an alert about them goes to, as the shared-mailbox rule tells mailboxes apart
    (app/rules/emails.py mailbox_key: case, a plus tag, Gmail's dots). An empty address is no one's shared
    mailbox: it stands for its guardian alone."""
    return row["student"], mailbox_key(row["email"]) or f"guardian {row['guardian']}"


async def _cancel_excused(day: date, absent: dict[int, list[dict]]) -> int:
    """Pending alerts of this day whose child no longer has an unexcused absence."""
    pending = await AbsenceAlert.select(AbsenceAlert.id, AbsenceAlert.student).where(
        (AbsenceAlert.day == day) & (AbsenceAlert.status == "pending"))
    gone = [p["id"] for p in pending if p["student"] not in absent]
    if gone:
        await AbsenceAlert.update({AbsenceAlert.status: "cancelled", AbsenceAlert.decided_at: clock.now()}).where(
            AbsenceAlert.id.is_in(gone) & (AbsenceAlert.status == "pending"))
    return len(gone)


_DUE = """
SELECT al.id, al.guardian, al.account, al.student, al.day, a.language, a.disabled, g.email,
       g.language AS sis_language, s.public_id, s.given_name, s.family_name
FROM absence_alert al
JOIN user_account a ON a.id = al.account
JOIN person g ON g.id = al.guardian
JOIN person s ON s.id = al.student
WHERE al.status = 'pending' AND al.due_at <= {}
ORDER BY al.due_at, al.id LIMIT 500
"""


async def waiting_alerts() -> tuple[int, datetime | None]:
    """How many alerts wait for their time (the delay after an import, a guardian's quiet hours), and when the
    first is due: what `homeroom alerts send-due` says it left (an IT lead's find: "0 queued" said nothing of the
    two due in 15 minutes)."""
    waiting = AbsenceAlert.status == "pending"
    count = await AbsenceAlert.count().where(waiting)
    first = await AbsenceAlert.select(AbsenceAlert.due_at).where(waiting).order_by(AbsenceAlert.due_at).first()
    return count, first["due_at"] if first else None


async def send_due_alerts() -> int:
    """Write the email of every alert whose time has come, if the absence still stands, the guardian may
    still see the child and still wants alerts; cancel the others. Returns how many were queued."""
    prefs = await load_preferences()
    queued = 0
    while True:
        due = await AbsenceAlert.raw(_DUE, clock.now())
        if not due:
            return queued
        for alert in due:
            queued += await _decide(alert, prefs)


async def _decide(alert: dict, prefs: DistrictPreferences) -> int:
    recipient = Recipient(alert["account"], alert["guardian"], alert["email"] or "",
                          guardian_language(alert["language"], alert["sis_language"]))
    absences = (await _unexcused(alert["day"], [alert["student"]])).get(alert["student"], [])
    wanted = await choices_of(alert["account"])
    student = await may_see(recipient, str(alert["public_id"]), alert["day"]) if absences else None
    send = bool(absences and student and recipient.email and not alert["disabled"] and wanted.absence_alerts
                and prefs.absence_alerts_offered)
    async with transaction():
        claimed = await AbsenceAlert.update({AbsenceAlert.status: "queued" if send else "cancelled",
                                             AbsenceAlert.decided_at: clock.now()}).where(
            (AbsenceAlert.id == alert["id"]) & (AbsenceAlert.status == "pending")).returning(AbsenceAlert.id)
        if not claimed or not send:
            return 0
        await enqueue_email(KIND, recipient.email, _alert_context(alert, absences, recipient, prefs),
                            language=recipient.language,
                            list_unsubscribe=unsubscribe_url(recipient.account_id, KIND),
                            about=About(recipient.guardian_id, (alert["student"],)))
        await audit.record("alerts.absence-alert-queued", account=recipient.account_id, person=alert["student"],
                           detail=alert["day"].isoformat())
    return 1


def _periods(absences: list[dict]) -> list[dict]:
    periods = [{"period": a["period"], "course": a["course"] or a["section_title"] or ""}
               for a in absences if a["period"]]
    return sorted(periods, key=lambda p: period_order(p["period"]))


def _alert_context(alert: dict, absences: list[dict], recipient: Recipient, prefs: DistrictPreferences) -> dict:
    public_id = str(alert["public_id"])
    return {
        **email_context(prefs),
        "student": alert["given_name"],
        "student_name": f"{alert['given_name']} {alert['family_name']}",
        "day": alert["day"],
        "day_text": day_text(alert["day"], recipient.language),
        "whole_day": any(not a["period"] for a in absences),
        "periods": _periods(absences),
        "attendance_url": student_url(public_id, "attendance"),
        "report_url": student_url(public_id, f"absence-reports/new?day={alert['day'].isoformat()}"),
        # For the last look before sending (app/services/alert_mail.py), which adds the unsubscribe link.
        "account_id": recipient.account_id, "guardian_id": recipient.guardian_id, "student_id": alert["student"],
        "student_public_id": public_id,
    }

