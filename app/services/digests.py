"""The weekly digest (issue 12 item 3): one email per guardian for all the children that guardian may see.

`queue_digests()` walks the guardian accounts in id order, a chunk at a time (memory stays flat at any
district size), and for each account without a digest for that week: decides whether there is anything to
say, and in one transaction records the week's digest row (its unique key is account + week) and writes the
email to the outbox. A second run, or two runs at once, find the row and write nothing; a run that was
interrupted resumes where the rows stop. An account whose quiet hours cover the moment gets a pending row,
sent by `send_due_digests()` (the scheduler) when they end.

Which children: each linked child is checked with the records pages' own rule (`records.linked_student`),
so a child whose access is off is never in a digest. What it says, per child: this week's absences and
tardies, the school year's absences as a share of school days against the district's chronic-absence line,
missing and late work in the current grading period, and term grades under the guardian's threshold.
Nothing to say (no absence or tardy this week, no missing or late work, no low grade, under the line): no
email.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app import clock
from app.database import transaction
from app.mail.outbox import About, enqueue_email
from app.rules.alerts import (GuardianChoices, absence_share, after_quiet_hours, digest_week_of, grade_is_under,
                              week_days)
from app.rules.district_day import district_day
from app.rules.preferences import WEEKDAYS, DistrictPreferences
from app.rules.school_days import SchoolCalendar
from app.rules.school_year import school_year_of
from app.services.alert_common import Recipient, email_context, guardian_language, may_see, \
    student_url, unsubscribe_url
from app.services.alert_preferences import choices_of_accounts
from app.services.preferences import load_preferences
from app.services.school_calendar import load_calendar, schools_of
from app.tables import AcademicSession, UserAccount, WeeklyDigest
from app.rules.numbers import period_order

log = logging.getLogger("homeroom.digests")
KIND = "weekly-digest"
CHUNK = 500
COMMIT_EVERY = 100  # accounts per transaction
ITEMS_SHOWN = 8  # per child and list: the email stays short (and under 20 KB) whatever the records say

_ACCOUNTS = """
SELECT a.id AS account, a.person AS guardian, a.language, g.email, g.language AS sis_language
FROM user_account a JOIN person g ON g.id = a.person
WHERE a.role = 'guardian' AND a.disabled = {} AND g.email IS NOT NULL AND a.id > {} {only}
ORDER BY a.id LIMIT {}
"""

_LINKED = """
SELECT l.guardian, s.id AS student, s.public_id FROM guardian_link l JOIN person s ON s.id = l.student
WHERE l.guardian IN ({guardians}) AND s.kind = 'student'
ORDER BY s.given_name, s.id
"""

_WEEK_EVENTS = """
SELECT ev.student, ev.event_date, ev.period, ev.category, c.title AS course, sec.title AS section_title
FROM attendance_event ev
LEFT JOIN section sec ON sec.id = ev.section
LEFT JOIN course c ON c.id = sec.course
WHERE ev.student IN ({students}) AND ev.event_date >= {} AND ev.event_date <= {}
  AND ev.category IN ('excused-absence', 'unexcused-absence', 'tardy')
"""

_YEAR_ABSENCES = """
SELECT student, COUNT(DISTINCT event_date) AS days FROM attendance_event
WHERE student IN ({students}) AND event_date >= {} AND event_date <= {} AND period = ''
  AND category IN ('excused-absence', 'unexcused-absence')
GROUP BY student
"""

# Absences recorded on days that may not be school days (weekends, the calendar's days): a handful, taken
# off the count when they are not school days for that child, so the share reads school days on both sides.
_ABSENCES_ON = """
SELECT DISTINCT student, event_date FROM attendance_event
WHERE student IN ({students}) AND event_date IN ({days}) AND period = ''
  AND category IN ('excused-absence', 'unexcused-absence')
"""

_WORK = """
SELECT r.student, li.title, li.due_date, r.missing, r.late, sec.public_id AS section, c.title AS course,
       sec.title AS section_title
FROM result r JOIN line_item li ON li.id = r.line_item JOIN section sec ON sec.id = li.section
LEFT JOIN course c ON c.id = sec.course
WHERE r.student IN ({students}) AND li.grading_period = {} AND r.status = 'active' AND (r.missing OR r.late)
  AND r.exempt = {}
ORDER BY li.due_date DESC
"""

_GRADES = """
SELECT g.student, g.grade, g.percent, sec.public_id AS section, c.title AS course, sec.title AS section_title
FROM term_grade g JOIN section sec ON sec.id = g.section LEFT JOIN course c ON c.id = sec.course
WHERE g.student IN ({students}) AND g.term = {}
"""


def _in(values: list) -> str:
    return ", ".join("{}" for _ in values)


@dataclass
class ChildDigest:
    account: int
    name: str
    given_name: str
    public_id: str
    schools: tuple[str, ...]
    absences: list[dict] = field(default_factory=list)  # day, periods (empty: whole day), excused
    tardies: list[dict] = field(default_factory=list)
    year_absent_days: int = 0
    school_days: int = 0
    share: float = 0.0
    over_line: bool = False
    work: list[dict] = field(default_factory=list)
    more_work: int = 0
    low_grades: list[dict] = field(default_factory=list)
    threshold: str = ""
    student_id: int = 0  # the person id: what the sender checks access against (app/services/mail_access.py)

    @property
    def has_news(self) -> bool:
        return bool(self.absences or self.tardies or self.work or self.low_grades or self.over_line)


@dataclass(frozen=True)
class Calendar:
    today: date
    week_of: date
    first: date
    last: date
    year_start: date | None
    term_id: int | None
    school_days: SchoolCalendar = field(default_factory=SchoolCalendar)


@dataclass
class DigestRun:
    week_of: date
    queued: int = 0
    nothing: int = 0
    deferred: int = 0
    already: int = 0
    off: int = 0


LONGEST_YEAR_DAYS = 366  # the school year's share of days absent looks this far back at most


async def _calendar(today: date, week_of: date) -> Calendar:
    first, last = week_days(week_of, today)
    year = await AcademicSession.select(AcademicSession.start_date).where(
        (AcademicSession.kind == "schoolYear") & (AcademicSession.school_year == school_year_of(last))
        & (AcademicSession.status == "active")).order_by(AcademicSession.start_date).first()
    term = await AcademicSession.select(AcademicSession.id).where(
        (AcademicSession.kind == "gradingPeriod") & (AcademicSession.start_date <= last)
        & (AcademicSession.end_date >= first) & (AcademicSession.status == "active")).order_by(
        AcademicSession.start_date, ascending=False).first()
    year_start = year["start_date"] if year else None
    days = await load_calendar(max(year_start or date.min, last - timedelta(days=LONGEST_YEAR_DAYS)), last)
    if year_start is None and days.year_of(last):  # no schoolYear session: the year its sessions span
        year_start = days.year_of(last)[0]
    if year_start is not None:
        # A school year the SIS started in 0001 (.NET's "no date") would count half a million school days,
        # hiding a chronic absence in the share, and list every weekend since in one statement: at most a year.
        year_start = max(year_start, last - timedelta(days=LONGEST_YEAR_DAYS))
    return Calendar(today, first, first, last, year_start, term["id"] if term else None, days)


async def queue_digests(week_of: date | None = None, *, only_day: int | None = None,
                        accounts: list[int] | None = None) -> DigestRun:
    """Queue the week's digests now (`homeroom digests queue`; the scheduler passes only_day, the weekday
    whose guardians are due). Idempotent."""
    prefs = await load_preferences()
    now = clock.now()
    today = district_day(now, prefs.time_zone)
    week_of = week_of - timedelta(days=week_of.weekday()) if week_of else digest_week_of(today)
    calendar = await _calendar(today, week_of)
    run = DigestRun(week_of)
    after = 0
    only = f"AND a.id IN ({_in(accounts)})" if accounts else ""
    while True:
        rows = await UserAccount.raw(_ACCOUNTS.replace("{only}", only), False, after, *(accounts or []), CHUNK)
        if not rows:
            return run
        after = rows[-1]["account"]
        await _queue_chunk(rows, calendar, prefs, run, now, only_day)


async def _queue_chunk(rows: list[dict], calendar: Calendar, prefs: DistrictPreferences, run: DigestRun,
                       now: datetime, only_day: int | None) -> None:
    keys = {_key(r["account"], calendar.week_of): r for r in rows}
    done = {r["key"] for r in await WeeklyDigest.select(WeeklyDigest.key).where(WeeklyDigest.key.is_in(list(keys)))}
    run.already += len(done)
    choices = await choices_of_accounts([r["account"] for r in rows])
    district_day_index = WEEKDAYS.index(prefs.digest_day)
    wanted = []
    for key, row in keys.items():
        if key in done:
            continue
        chosen = choices[row["account"]]
        if not chosen.digest or (only_day is not None and (
                chosen.digest_day if chosen.digest_day is not None else district_day_index) != only_day):
            run.off += 1
            continue
        wanted.append(row)
    digests = await _build(wanted, choices, calendar, prefs)
    for start in range(0, len(wanted), COMMIT_EVERY):
        await _record(wanted[start:start + COMMIT_EVERY], digests, choices, calendar, prefs, run, now)


async def _record(rows: list[dict], digests: dict[int, list[ChildDigest]], choices: dict[int, GuardianChoices],
                  calendar: Calendar, prefs: DistrictPreferences, run: DigestRun, now: datetime) -> None:
    """One transaction for a batch of accounts: their week's rows and their emails commit together, so a
    run stopped anywhere leaves every account either done (row and email) or untouched."""
    decided = []
    for row in rows:
        due = after_quiet_hours(now, choices[row["account"]].quiet_hours, prefs.time_zone)
        if not any(c.has_news for c in digests.get(row["account"], [])):
            status = "nothing"
        elif due > now:
            status = "pending"
        else:
            status = "queued"
        decided.append((row, status, due))
    if not decided:
        return
    async with transaction():
        inserted = {r["key"] for r in await WeeklyDigest.insert(*[WeeklyDigest(
            key=_key(row["account"], calendar.week_of), account=row["account"], week_of=calendar.week_of,
            status=status, due_at=due, created_at=now, decided_at=now if status != "pending" else None,
        ) for row, status, due in decided]).on_conflict(target=WeeklyDigest.key, action="DO NOTHING").returning(
            WeeklyDigest.key)}
        for row, status, _ in decided:
            if _key(row["account"], calendar.week_of) not in inserted:
                run.already += 1  # another run got there first
                continue
            if status == "queued":
                await _enqueue(Recipient(row["account"], row["guardian"], row["email"],
                                         guardian_language(row["language"], row["sis_language"])),
                               digests[row["account"]], calendar, prefs)
            run.queued += status == "queued"
            run.nothing += status == "nothing"
            run.deferred += status == "pending"


async def send_due_digests() -> int:
    """Digests that waited for a guardian's quiet hours: built now (what the records say now) and queued."""
    prefs = await load_preferences()
    now = clock.now()
    sent = 0
    due = await WeeklyDigest.select(WeeklyDigest.id, WeeklyDigest.account, WeeklyDigest.week_of).where(
        (WeeklyDigest.status == "pending") & (WeeklyDigest.due_at <= now)).order_by(WeeklyDigest.id).limit(CHUNK)
    for digest in due:
        rows = await UserAccount.raw(_ACCOUNTS.replace("{only}", "AND a.id = {}"), False, 0, digest["account"], 1)
        calendar = await _calendar(district_day(now, prefs.time_zone), digest["week_of"])
        choices = await choices_of_accounts([digest["account"]])
        children = (await _build(rows, choices, calendar, prefs)).get(digest["account"], []) if rows else []
        send = bool(rows) and choices[digest["account"]].digest and any(c.has_news for c in children)
        async with transaction():
            claimed = await WeeklyDigest.update({WeeklyDigest.status: "queued" if send else "nothing",
                                                 WeeklyDigest.decided_at: now}).where(
                (WeeklyDigest.id == digest["id"]) & (WeeklyDigest.status == "pending")).returning(WeeklyDigest.id)
            if claimed and send:
                row = rows[0]
                await _enqueue(Recipient(row["account"], row["guardian"], row["email"],
                                         guardian_language(row["language"], row["sis_language"])),
                               children, calendar, prefs)
                sent += 1
    return sent


def _key(account: int, week_of: date) -> str:
    return f"{account}:{week_of.isoformat()}"


async def _build(rows: list[dict], choices: dict[int, GuardianChoices], calendar: Calendar,
                 prefs: DistrictPreferences) -> dict[int, list[ChildDigest]]:
    """Each account's children (those its guardian may see) with what there is to say about them."""
    if not rows:
        return {}
    guardians = sorted({r["guardian"] for r in rows})
    linked: dict[int, list[dict]] = defaultdict(list)
    for start in range(0, len(guardians), CHUNK):
        part = guardians[start:start + CHUNK]
        for link in await UserAccount.raw(_LINKED.replace("{guardians}", _in(part)), *part):
            linked[link["guardian"]].append(link)
    children: dict[int, list[ChildDigest]] = {}
    by_student: dict[int, list[ChildDigest]] = defaultdict(list)
    for row in rows:
        found = []
        recipient = Recipient(row["account"], row["guardian"], row["email"], row["language"])
        for link in linked.get(row["guardian"], []):
            student = await may_see(recipient, str(link["public_id"]), calendar.today)
            if student is None or any(c.public_id == student.public_id for c in found):
                continue
            child = ChildDigest(row["account"], student.name, student.given_name, student.public_id, student.schools,
                                student_id=student.id)
            found.append(child)
            by_student[student.id].append(child)
        children[row["account"]] = found
    if by_student:
        await _fill(by_student, rows, choices, calendar, prefs)
    return children


async def _fill(by_student: dict[int, list[ChildDigest]], rows: list[dict], choices: dict[int, GuardianChoices],
                calendar: Calendar, prefs: DistrictPreferences) -> None:
    students = sorted(by_student)
    week: dict[int, list[dict]] = defaultdict(list)
    year: dict[int, int] = {}
    work: dict[int, list[dict]] = defaultdict(list)
    grades: dict[int, list[dict]] = defaultdict(list)
    for start in range(0, len(students), CHUNK):
        part = students[start:start + CHUNK]
        for e in await UserAccount.raw(_WEEK_EVENTS.replace("{students}", _in(part)), *part, calendar.first,
                                       calendar.last):
            week[e["student"]].append(e)
        if calendar.year_start:
            for r in await UserAccount.raw(_YEAR_ABSENCES.replace("{students}", _in(part)), *part,
                                           calendar.year_start, calendar.last):
                year[r["student"]] = int(r["days"])
        if calendar.term_id:
            for r in await UserAccount.raw(_WORK.replace("{students}", _in(part)), *part, calendar.term_id, False):
                work[r["student"]].append(r)
            for r in await UserAccount.raw(_GRADES.replace("{students}", _in(part)), *part, calendar.term_id):
                grades[r["student"]].append(r)
    schools = await schools_of(students)
    days = calendar.school_days
    if calendar.year_start:
        odd_days = _maybe_not_school_days(days, calendar.year_start, calendar.last)
        for start in range(0, len(students), CHUNK):
            part = students[start:start + CHUNK]
            for r in await UserAccount.raw(_ABSENCES_ON.replace("{students}", _in(part)).replace(
                    "{days}", _in(odd_days)), *part, *odd_days) if odd_days else []:
                if r["student"] in year and not days.is_school_day(_as_date(r["event_date"]), schools[r["student"]]):
                    year[r["student"]] -= 1
    counted: dict[tuple[int, ...], int] = {}
    for student, copies in by_student.items():
        absences, tardies = _week_of_events([e for e in week.get(student, [])
                                             if not _no_school(days, e["event_date"], schools[student])])
        absent_days = year.get(student, 0)
        own = schools[student]
        if own not in counted:
            counted[own] = days.count_school_days(calendar.year_start, calendar.last, own) \
                if calendar.year_start else 0
        school_days = counted[own]
        share = absence_share(absent_days, school_days)
        items = [_work_item(r, copies[0].public_id) for r in work.get(student, [])]
        for child in copies:
            chosen = choices[child.account]
            child.absences, child.tardies = absences, tardies
            child.year_absent_days, child.school_days, child.share = absent_days, school_days, share
            child.over_line = school_days > 0 and share >= prefs.chronic_absence_percent
            if chosen.digest_missing_work:
                child.work, child.more_work = items[:ITEMS_SHOWN], max(len(items) - ITEMS_SHOWN, 0)
            threshold = chosen.threshold
            if chosen.digest_grades and threshold:
                child.low_grades = [_grade_item(r, child.public_id) for r in grades.get(student, [])
                                    if grade_is_under(threshold, r["grade"], r["percent"])][:ITEMS_SHOWN]
                child.threshold = str(threshold)


def _maybe_not_school_days(days: SchoolCalendar, first: date, last: date) -> list[date]:
    """The weekend days and the calendar's days from first to last: the only days an absence can be on
    without it being a school day (outside the school year there is nothing to count: the range is in it)."""
    found = set(d for d in days.entries if first <= d <= last)
    day = first + timedelta(days=(5 - first.weekday()) % 7)  # the first Saturday
    while day <= last:
        found.add(day)
        if day + timedelta(days=1) <= last:
            found.add(day + timedelta(days=1))
        day += timedelta(days=7)
    return sorted(found)


def _no_school(days: SchoolCalendar, day, schools: tuple[int, ...]) -> bool:
    """A weekend day or a day the calendar closed: its events are not in the week's list (nor in the year's
    count), as home and the attendance page show them but do not count them."""
    why = days.why_not(_as_date(day), schools)
    return why is not None and bool(why.what)


def _as_date(value) -> date:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _week_of_events(events: list[dict]) -> tuple[list[dict], list[dict]]:
    by_day: dict[date, list[dict]] = defaultdict(list)
    for e in events:
        by_day[e["event_date"]].append(e)
    absences, tardies = [], []
    for day in sorted(by_day):
        todays = by_day[day]
        daily = [e for e in todays if not e["period"] and e["category"] != "tardy"]
        periods = sorted({e["period"] for e in todays if e["period"] and e["category"] != "tardy"},
                         key=period_order)
        if daily or periods:
            excused = all(e["category"] == "excused-absence" for e in todays if e["category"] != "tardy")
            absences.append({"day": day, "periods": [] if daily else periods, "excused": excused})
        if any(e["category"] == "tardy" for e in todays):
            tardies.append({"day": day})
    return absences, tardies


def _work_item(row: dict, public_id: str) -> dict:
    return {"title": row["title"], "course": row["course"] or row["section_title"], "due": row["due_date"],
            "missing": bool(row["missing"]), "late": bool(row["late"]),
            "url": student_url(public_id, f"grades/{row['section']}")}


def _grade_item(row: dict, public_id: str) -> dict:
    return {"course": row["course"] or row["section_title"], "grade": row["grade"] or "",
            "percent": row["percent"], "url": student_url(public_id, f"grades/{row['section']}")}


def digest_context(recipient: Recipient, children: list[ChildDigest], calendar: Calendar,
                   prefs: DistrictPreferences) -> dict:
    return {
        **email_context(prefs),
        "students": ", ".join(c.given_name for c in children),
        "children": [{**{k: getattr(c, k) for k in (
            "name", "given_name", "schools", "absences", "tardies", "year_absent_days", "school_days", "work",
            "more_work", "low_grades", "threshold", "over_line", "has_news", "student_id")},
            "share": round(c.share, 1),
            "attendance_url": student_url(c.public_id, "attendance"),
            "grades_url": student_url(c.public_id, "grades")} for c in children],
        "first": calendar.first, "last": calendar.last,
        "chronic_line": prefs.chronic_absence_percent,
        "account_url": f"{email_context(prefs)['portal_url']}/account#alerts",
        "account_id": recipient.account_id,  # the unsubscribe link is added when it is sent (alert_mail.py)
    }


async def _enqueue(recipient: Recipient, children: list[ChildDigest], calendar: Calendar,
                   prefs: DistrictPreferences) -> None:
    await enqueue_email(KIND, recipient.email, digest_context(recipient, children, calendar, prefs),
                        language=recipient.language, list_unsubscribe=unsubscribe_url(recipient.account_id, KIND),
                        about=About(recipient.guardian_id, tuple(c.student_id for c in children)))
