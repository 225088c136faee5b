"""What a OneRoster run will write, worked out from the files and what Homeroom already holds. Pure: the
database is read beforehand into `Known`, and the plan is written by oneroster.py.

Choices (the README repeats them):
- Rows are never deleted: `tobedeleted`, and in a bulk file every row that is absent, make the row
  `inactive` (people, schools, sessions, courses, classes, enrollments, assignments, scores). Accounts,
  keys and history point at these rows, and a row that comes back is simply active again.
  Guardian links and class terms are relationships without a status: those are deleted.
- Two sources: a bulk users.csv removes (makes inactive, unlinks) only people and guardian links OneRoster
  brought (Person.source, GuardianLink.source "oneroster"), and a bulk academicSessions.csv only sessions
  OneRoster brought (AcademicSession.source: Ed-Fi makes the grading periods no OneRoster session matches,
  `edfi-gp-*`, and their term grades hang on them); a guardian, link or grading period Ed-Fi brought and the
  files do not list is left alone. When OneRoster lists such a row it takes it over: the row becomes
  OneRoster's, and a later bulk file that leaves it out removes it. A row marked tobedeleted is made
  inactive whoever brought it.
- Delta files change only the rows they list. A user's `agentSourcedIds`, when not empty, is the whole list
  of that user's guardians (or children); an empty cell in a delta file leaves the links alone.
  A student's schools (`orgSourcedIds` in 1.1, student rows of roles.csv in 1.2) work the same way.
- Roles: student -> student; parent and guardian -> guardian with is_guardian true; relative -> guardian
  with is_guardian false (a relative is a contact, not a legal guardian, so gets no portal account unless
  staff decide so); teacher -> teacher; administrator, aide, counselor, principal and other staff roles are
  not people the portal shows and are skipped (a WARNING, grouped). A user with several roles in roles.csv
  takes the first of student, guardian, teacher it has.
- portal_access is set to true when a link is made and never changed by an import afterwards (staff may
  turn it off). An empty email or identifier keeps what Homeroom has (the portal may have confirmed an email).
- Orgs: only orgs of type school become schools; an org of another type that a class names as its school
  becomes a school too, with a WARNING. Org ids of other types in a student's orgSourcedIds (a district)
  are passed over quietly.
- A reference that must resolve (an enrollment's class and user, a class's school, a score's assignment
  and student) is an ERROR when neither the files nor Homeroom have it; an optional one (a class's course
  or term, a session's parent, a guardian named in agentSourcedIds) is a WARNING and is left out.
- A reference to a row this run does not keep (marked `tobedeleted`, or left out with a warning: a user
  without any role) is a WARNING that says so: the referring row is not imported either, and if Homeroom
  has it, it is made inactive (an enrollment in a class the SIS deleted ends with the class).

The plan is worked out in named steps (`_Planner`: schools, sessions, courses, classes, people, ...), each
reading the files' records and appending named rows (`SchoolRow`, `PersonRow`, ...) for oneroster.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from app.importers.oneroster_files import (
    GUARDIAN_ROLES,
    RosterFiles,
    User,
    person_kind,
)
from app.importers.problems import ImportReport
from app.services.sis_sync import PortalChanges

KIND_ORDER = ("student", "guardian", "teacher", "staff")


class KnownPerson(NamedTuple):
    kind: str
    status: str
    student_number: str | None
    source: str = "oneroster"  # which import brought them (Person.source): a bulk file removes only its own


@dataclass
class Known:
    """What the database holds before the run (source ids, and the facts the checks need)."""

    schools: dict[str, str] = field(default_factory=dict)  # sourcedId -> status
    sessions: dict[str, str] = field(default_factory=dict)
    other_sessions: set[str] = field(default_factory=set)  # those another source (Ed-Fi) brought
    courses: dict[str, str] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    persons: dict[str, KnownPerson] = field(default_factory=dict)
    enrollments: dict[str, str] = field(default_factory=dict)
    line_items: dict[str, str] = field(default_factory=dict)
    results: dict[str, str] = field(default_factory=dict)
    # The portal's confirmed changes the SIS has not loaded yet (app/services/sis_sync.py); None: no such check.
    portal_changes: PortalChanges | None = None

    def number_holders(self) -> dict[str, str]:
        return {p.student_number: sid for sid, p in self.persons.items() if p.student_number}

    def person_statuses(self) -> dict[str, str]:
        return {sid: p.status for sid, p in self.persons.items()}

    def others_people(self) -> set[str]:
        """People another source (Ed-Fi) brought: a bulk users.csv that leaves them out leaves them alone."""
        return {sid for sid, p in self.persons.items() if p.source != "oneroster"}


# ------------------------------------------------------------------------------- what the run will write
# Each row's fields are in the order of the table's columns oneroster.py writes; references are sourcedIds
# ("" when left out).


class SchoolRow(NamedTuple):
    source_id: str
    name: str
    identifier: str  # orgs.csv identifier ("" none): an Ed-Fi schoolId may be it


class SessionRow(NamedTuple):
    source_id: str
    title: str
    kind: str
    start_date: date
    end_date: date
    parent: str
    school_year: int


class CourseRow(NamedTuple):
    source_id: str
    title: str
    course_code: str
    school: str


class SectionRow(NamedTuple):
    source_id: str
    title: str
    class_code: str
    course: str
    school: str
    periods: str
    room: str


class PersonRow(NamedTuple):
    source_id: str
    kind: str
    given_name: str
    family_name: str
    email: str | None  # None: keep what is on file
    student_number: str | None
    language: str | None  # ISO 639-1; None: keep what is on file
    identifier: str  # users.csv identifier as sent, any kind ("" keeps what is on file)


class EnrollmentRow(NamedTuple):
    source_id: str
    section: str
    person: str
    role: str
    is_primary: bool
    begin_date: date | None
    end_date: date | None


class LineItemRow(NamedTuple):
    source_id: str
    section: str
    title: str
    category: str
    assign_date: date | None
    due_date: date | None
    grading_period: str
    points_possible: float | None


class ResultRow(NamedTuple):
    source_id: str
    line_item: str
    student: str
    score: float | None
    score_status: str
    missing: bool
    late: bool
    exempt: bool
    comment: str
    score_date: date | None


class Role(NamedTuple):
    """A guardian link's relationship, as the guardian's role gives it."""

    relationship: str  # parent | guardian | relative
    is_guardian: bool


@dataclass
class RosterPlan:
    schools: list[SchoolRow] = field(default_factory=list)
    session_levels: list[list[SessionRow]] = field(default_factory=list)  # parents first
    courses: list[CourseRow] = field(default_factory=list)
    sections: list[SectionRow] = field(default_factory=list)
    section_terms: dict[str, set[str]] = field(default_factory=dict)
    persons: list[PersonRow] = field(default_factory=list)
    release_numbers: set[str] = field(default_factory=set)  # persons whose student number moves to another
    enrollments: list[EnrollmentRow] = field(default_factory=list)
    school_enrollments: dict[tuple[str, str], str | None] = field(default_factory=dict)  # -> grade (None: keep)
    school_scope: set[str] | None = field(default_factory=set)  # students whose schools are replaced; None: all
    school_ended: set[tuple[str, str]] = field(default_factory=set)
    links: dict[tuple[str, str], Role | None] = field(default_factory=dict)  # None: keep the relationship
    link_scope: set[str] | None = field(default_factory=set)  # persons whose links are replaced; None: all
    birth_dates: dict[str, date | None] = field(default_factory=dict)
    clear_other_birth_dates: bool = False
    line_items: list[LineItemRow] = field(default_factory=list)
    results: list[ResultRow] = field(default_factory=list)
    inactive: dict[str, set[str]] = field(default_factory=dict)  # table -> sourcedIds (only rows now active)
    # A guardian's SIS phones by kind (mobile from sms, home from phone): E.164, "" none, None leave as it is.
    phones: dict[str, dict[str, str | None]] = field(default_factory=dict)


def plan_roster(roster: RosterFiles, known: Known, report: ImportReport) -> RosterPlan:
    planner = _Planner(roster, known, report)
    for step in (planner.schools, planner.sessions, planner.courses, planner.classes, planner.people,
                 planner.students_schools, planner.guardians, planner.class_enrollments, planner.birth_dates,
                 planner.assignments, planner.scores):
        step()
    return planner.plan


class _Planner:
    """The steps of one plan, in order; each step reads what the earlier ones settled."""

    def __init__(self, roster: RosterFiles, known: Known, report: ImportReport) -> None:
        self.roster = roster
        self.known = known
        self.report = report
        self.plan = RosterPlan()
        # Rows this run does not keep, by file: sourcedId -> why (ends a sentence naming the row).
        self.not_kept: dict[str, dict[str, str]] = {}
        for name, found in roster.files.items():
            self.not_kept[name] = {sid: f"is marked tobedeleted in {found.name} (line {line})"
                                   for sid, line in found.deleted.items()}

    # ------------------------------------------------------------------------------------------- helpers

    def file_name(self, name: str) -> str:
        found = self.roster.get(name)
        return found.name if found else f"{name}.csv"

    def deleted(self, name: str) -> set[str]:
        found = self.roster.get(name)
        return set(found.deleted) if found else set()

    def leave_out(self, name: str, sid: str, line: int) -> None:
        """A row the planner does not keep (its own warning says why); rows naming it are told so."""
        self.not_kept.setdefault(name, {})[sid] = f"was not imported (see {self.file_name(name)}, line {line})"

    def gone(self, name: str, sid: str) -> str | None:
        return self.not_kept.get(name, {}).get(sid)

    def make_inactive(self, table: str, name: str, known: dict[str, str], others: set[str] = frozenset()) -> None:
        """The rows of `table` that this file marks tobedeleted or, in bulk, leaves out (never `others`: rows
        another source brought); only those now active, so a run that changes nothing reports nothing."""
        found = self.roster.get(name)
        targets: set[str] = set()
        if found is not None:
            listed = found.ids()
            targets = {sid for sid in found.deleted if sid in known}
            if found.mode == "bulk":
                targets |= {sid for sid in known if sid not in listed and sid not in others}
        self.plan.inactive.setdefault(table, set()).update(
            sid for sid in targets if known[sid] != "inactive")

    def not_imported(self, name: str, line: int, column: str, why: str, noun: str, table: str, sid: str,
                     known: dict[str, str]) -> None:
        """A row not imported because what it names is gone (`why`): made inactive if Homeroom has it active,
        and the warning says both."""
        ended = known.get(sid, "inactive") != "inactive"
        if ended:
            self.plan.inactive.setdefault(table, set()).add(sid)
        self.report.warning(self.file_name(name), line, column, f"{why}; this {noun} is not imported"
                            + (" and Homeroom's copy is made inactive" if ended else ""))

    # ------------------------------------------------------------------------------------------- steps

    def schools(self) -> None:
        report, orgs_name = self.report, self.file_name("orgs")
        self.orgs = {o.source_id: o for o in self.roster.rows("orgs")}
        school_ids = {sid for sid, o in self.orgs.items() if o.type == "school"}
        for record in self.roster.rows("classes"):
            org = self.orgs.get(record.school)
            if org is not None and record.school not in school_ids:
                school_ids.add(record.school)
                report.warning(orgs_name, org.line, "type",
                               f"org '{org.source_id}' has type '{org.type}', but classes.csv uses it as a school "
                               f"(first on line {record.line}); it is kept as a school")
        self.plan.schools = [SchoolRow(sid, self.orgs[sid].name, self.orgs[sid].identifier) for sid in self.orgs
                             if sid in school_ids]
        self.known_schools = set(self.known.schools) | school_ids
        self.other_orgs = set(self.orgs) - school_ids
        self.make_inactive("school", "orgs", {sid: status for sid, status in self.known.schools.items()
                                               if sid not in school_ids})

    def sessions(self) -> None:
        report, sessions_name = self.report, self.file_name("academicSessions")
        sessions = {s.source_id: s for s in self.roster.rows("academicSessions")}
        self.known_sessions = set(self.known.sessions) | set(sessions)
        depth: dict[str, int] = {}
        for sid, session in sessions.items():
            chain, cursor = [], sid
            while cursor in sessions and cursor not in depth and cursor not in chain:
                chain.append(cursor)
                cursor = sessions[cursor].parent
            if cursor in chain:
                report.error(sessions_name, session.line, "parentSourcedId",
                             "the sessions' parents go round in a circle")
                base = 0
            else:
                base = depth.get(cursor, -1) + 1 if cursor in sessions else 0
            for offset, item in enumerate(reversed(chain)):
                depth[item] = base + offset
        levels: dict[int, list[SessionRow]] = {}
        for sid, session in sessions.items():
            parent = session.parent
            if parent and parent not in self.known_sessions:
                report.warning(sessions_name, session.line, "parentSourcedId",
                               f"'{parent}' is not in academicSessions.csv or Homeroom; the session is kept "
                               f"without it")
                parent = ""
            levels.setdefault(depth.get(sid, 0), []).append(SessionRow(
                sid, session.title, session.kind, session.start_date, session.end_date, parent, session.school_year))
        self.plan.session_levels = [levels[d] for d in sorted(levels)]
        self.make_inactive("academic_session", "academicSessions", self.known.sessions, self.known.other_sessions)

    def courses(self) -> None:
        courses_name = self.file_name("courses")
        for course in self.roster.rows("courses"):
            school = course.org
            if school and school not in self.known_schools:
                if school not in self.other_orgs:
                    self.report.warning(courses_name, course.line, "orgSourcedId",
                                        f"'{school}' is not a school in orgs.csv or Homeroom; the course is kept "
                                        f"without one")
                school = ""
            self.plan.courses.append(CourseRow(course.source_id, course.title, course.course_code, school))
        self.known_courses = set(self.known.courses) | {c.source_id for c in self.plan.courses}
        self.make_inactive("course", "courses", self.known.courses)

    def classes(self) -> None:
        report, classes_name = self.report, self.file_name("classes")
        for record in self.roster.rows("classes"):
            if record.school not in self.known_schools:
                why = self.gone("orgs", record.school)
                if why:
                    report.warning(classes_name, record.line, "schoolSourcedId",
                                   f"the school '{record.school}' {why}; this class is not imported")
                    self.leave_out("classes", record.source_id, record.line)
                else:
                    report.error(classes_name, record.line, "schoolSourcedId",
                                 f"'{record.school}' is not a school in orgs.csv or Homeroom")
                continue
            course = record.course
            if course and course not in self.known_courses:
                report.warning(classes_name, record.line, "courseSourcedId",
                               f"'{course}' is not in courses.csv or Homeroom; the class is kept without a course")
                course = ""
            terms = set()
            for term in record.terms:
                if term in self.known_sessions:
                    terms.add(term)
                else:
                    report.warning(classes_name, record.line, "termSourcedIds",
                                   f"'{term}' is not in academicSessions.csv or Homeroom; that term is left out")
            self.plan.sections.append(SectionRow(record.source_id, record.title, record.class_code, course,
                                                 record.school, record.periods, record.room))
            self.plan.section_terms[record.source_id] = terms
        self.known_sections = set(self.known.sections) | {s.source_id for s in self.plan.sections}
        self.make_inactive("section", "classes", self.known.sections)

    def people(self) -> None:
        roster, known, report, plan = self.roster, self.known, self.report, self.plan
        users_name, roles_name = self.file_name("users"), self.file_name("roles")
        self.users: dict[str, User] = {u.source_id: u for u in roster.rows("users")}
        users = self.users
        self.roles_by_user: dict[str, list] = {}
        for role in roster.rows("roles"):
            if role.user not in users and role.user not in known.persons:
                why = self.gone("users", role.user) or "is not in users.csv or Homeroom"
                report.warning(roles_name, role.line, "userSourcedId", f"'{role.user}' {why}; this role is left out")
                continue
            self.roles_by_user.setdefault(role.user, []).append(role)

        self.kinds: dict[str, str] = {}  # sourcedId -> kind, for users in the files
        self.relationship: dict[str, str] = {}  # guardian sourcedId -> parent | guardian | relative
        for sid, user in users.items():
            roles = [r.role for r in self.roles_by_user.get(sid, []) if r.active]
            roles += [r for r in user.roles if r not in roles]
            if not roles:
                if sid in known.persons:
                    self.kinds[sid] = known.persons[sid].kind
                    continue
                report.warning(users_name, user.line, "sourcedId",
                               f"user '{sid}' has no role (roles.csv has no active row for them, users.csv gives "
                               f"none) and Homeroom does not know them; they are not imported")
                self.leave_out("users", sid, user.line)
                continue
            found = sorted({person_kind(r) for r in roles}, key=KIND_ORDER.index)
            self.kinds[sid] = found[0]
            if len(found) > 1 and found[0] != "staff" and found[1] != "staff":
                report.warning(users_name, user.line, "sourcedId",
                               f"user '{sid}' has the roles {', '.join(found)}; Homeroom keeps them as a {found[0]}")
            guardian_roles = [r for r in roles if r in GUARDIAN_ROLES]
            if guardian_roles:
                self.relationship[sid] = "guardian" if "guardian" in guardian_roles else guardian_roles[0]
        for sid, found in self.roles_by_user.items():
            if sid not in users and any(r.active for r in found):
                self.kinds.setdefault(sid, known.persons[sid].kind)

        staff = [u for sid, u in users.items() if self.kinds.get(sid) == "staff"]
        for user in staff:
            report.warning(users_name, user.line, "role", "staff roles (administrator, aide, counselor, "
                                                          "principal...) are not portal people; these users are "
                                                          "skipped")

        holders = known.number_holders()
        numbers_in_file: dict[str, tuple[str, int]] = {}
        languages = {d.source_id: d.language for d in roster.rows("demographics") if d.language}
        for sid, user in users.items():
            kind = self.kinds.get(sid)
            if kind is None or kind == "staff":
                continue
            email = self.contact(sid, "email", user.email, user)
            if kind == "guardian":
                self.guardian_phones(sid, user)
            number = user.identifier if kind == "student" and user.identifier else None
            if number:
                if number in numbers_in_file:
                    other, line = numbers_in_file[number]
                    report.error(users_name, user.line, "identifier",
                                 f"student number '{number}' is also given to '{other}' on line {line}")
                    continue
                numbers_in_file[number] = (sid, user.line)
            plan.persons.append(PersonRow(sid, kind, user.given_name, user.family_name, email, number,
                                          user.language or languages.get(sid), user.identifier))
        for number, (sid, line) in numbers_in_file.items():
            holder = holders.get(number)
            if holder and holder != sid:
                if holder in users:
                    plan.release_numbers.add(holder)
                else:
                    report.error(users_name, line, "identifier",
                                 f"student number '{number}' already belongs to student '{holder}', who is not in "
                                 f"this file")
        self.stored_people = {p.source_id for p in plan.persons}
        self.make_inactive("person", "users", known.person_statuses(), known.others_people())
        plan.inactive["person"] |= {u.source_id for u in staff
                                    if u.source_id in known.persons and known.persons[u.source_id].status != "inactive"}

    def contact(self, sid: str, field: str, sis_value: str | None, user: User) -> str | None:
        """The value to keep for a contact field: a parent's confirmed change holds until the SIS has loaded
        it (app/rules/sis_sync.py)."""
        changes = self.known.portal_changes
        if not changes:
            return sis_value
        return changes.decide(field, sis_value, person=sid, sis_modified=user.modified).value

    def guardian_phones(self, sid: str, user: User) -> None:
        if user.phone is None and user.sms is None:
            return
        home = "" if user.sms and user.phone == user.sms else user.phone  # one number given twice: a mobile
        self.plan.phones[sid] = {"mobile": self.contact(sid, "phone:mobile", user.sms, user),
                                 "home": self.contact(sid, "phone:home", home, user)}

    def kind_of(self, sid: str) -> str | None:
        if sid in self.kinds:
            return self.kinds[sid]
        if sid in self.known.persons and not self.gone("users", sid):
            return self.known.persons[sid].kind
        return None

    def is_person(self, sid: str) -> bool:
        return sid in self.stored_people or (sid in self.known.persons and sid not in self.kinds
                                             and not self.gone("users", sid))

    def students_schools(self) -> None:
        roster, plan = self.roster, self.plan
        users_name, roles_name = self.file_name("users"), self.file_name("roles")
        bulk_schools = roster.mode("users") == "bulk" or roster.mode("roles") == "bulk"
        plan.school_scope = None if bulk_schools else set()
        for sid, user in self.users.items():
            if self.kinds.get(sid) != "student":
                continue
            student_roles = [r for r in self.roles_by_user.get(sid, []) if r.role == "student"]
            org_list = [r.org for r in student_roles if r.active] if student_roles else list(user.orgs)
            if org_list and plan.school_scope is not None:
                plan.school_scope.add(sid)
            for org in org_list:
                if org in self.known_schools:
                    plan.school_enrollments[(sid, org)] = user.grade
                elif org not in self.other_orgs:
                    self.report.warning(users_name if not student_roles else roles_name, user.line,
                                        "orgSourcedIds" if not student_roles else "orgSourcedId",
                                        f"'{org}' is not an org in orgs.csv or a school in Homeroom; that school "
                                        f"is left out")
        for sid, found in self.roles_by_user.items():
            if sid in self.users or self.kind_of(sid) != "student":
                continue
            for role in found:
                if role.role != "student" or role.org not in self.known_schools:
                    continue
                if role.active:
                    plan.school_enrollments[(sid, role.org)] = None
                else:
                    plan.school_ended.add((sid, role.org))

    def guardians(self) -> None:
        plan, report, users_name = self.plan, self.report, self.file_name("users")
        plan.link_scope = None if self.roster.mode("users") == "bulk" else set()
        for sid, user in self.users.items():
            kind = self.kinds.get(sid)
            if not user.agents or kind in (None, "staff"):
                continue
            if kind == "teacher":
                report.warning(users_name, user.line, "agentSourcedIds",
                               "a teacher's agentSourcedIds are not used; no links are made")
                continue
            if plan.link_scope is not None:
                plan.link_scope.add(sid)
            for agent in user.agents:
                agent_kind = self.kind_of(agent)
                if agent_kind is None:
                    why = self.gone("users", agent) or "is not in users.csv or Homeroom"
                    report.warning(users_name, user.line, "agentSourcedIds", f"'{agent}' {why}; no link is made "
                                                                             f"to them")
                    continue
                if kind == "student" and agent_kind == "guardian":
                    guardian, student = agent, sid
                elif kind == "guardian" and agent_kind == "student":
                    guardian, student = sid, agent
                else:
                    wanted = "parent or guardian" if kind == "student" else "student"
                    found = "staff member" if agent_kind == "staff" else agent_kind
                    report.warning(users_name, user.line, "agentSourcedIds",
                                   f"'{agent}' is a {found}, not a {wanted}; no link is made")
                    continue
                role = self.relationship.get(guardian)
                plan.links[(guardian, student)] = Role(role, role != "relative") if role else None

    def class_enrollments(self) -> None:
        report, enrollments_name = self.report, self.file_name("enrollments")
        classes_gone, users_gone = self.not_kept.get("classes", {}), self.not_kept.get("users", {})
        for enrollment in self.roster.rows("enrollments"):
            problem = False
            gone_class = classes_gone.get(enrollment.section)
            gone_user = users_gone.get(enrollment.user)
            if gone_class or gone_user:
                why = f"the class '{enrollment.section}' {gone_class}" if gone_class else \
                    f"the user '{enrollment.user}' {gone_user}"
                self.not_imported("enrollments", enrollment.line, "classSourcedId" if gone_class else "userSourcedId",
                                  why, "enrollment", "section_enrollment", enrollment.source_id,
                                  self.known.enrollments)
                continue
            if enrollment.section not in self.known_sections:
                report.error(enrollments_name, enrollment.line, "classSourcedId",
                             f"'{enrollment.section}' is not a class in classes.csv or Homeroom")
                problem = True
            user_kind = self.kind_of(enrollment.user)
            if user_kind is None:
                report.error(enrollments_name, enrollment.line, "userSourcedId",
                             f"'{enrollment.user}' is not a user in users.csv or Homeroom")
                problem = True
            elif user_kind == "staff":
                report.warning(enrollments_name, enrollment.line, "userSourcedId",
                               "the user has a staff role Homeroom does not keep; the enrollment is skipped")
                problem = True
            elif enrollment.role in ("student", "teacher") and user_kind != enrollment.role:
                report.warning(enrollments_name, enrollment.line, "role",
                               f"the enrollment says {enrollment.role}, but user '{enrollment.user}' is a "
                               f"{user_kind}; kept as given")
            if not problem:
                self.plan.enrollments.append(EnrollmentRow(
                    enrollment.source_id, enrollment.section, enrollment.user, enrollment.role, enrollment.primary,
                    enrollment.begin_date, enrollment.end_date))
        self.make_inactive("section_enrollment", "enrollments", self.known.enrollments)

    def birth_dates(self) -> None:
        demographics_name = self.file_name("demographics")
        for row in self.roster.rows("demographics"):
            if self.is_person(row.source_id):
                self.plan.birth_dates[row.source_id] = row.birth_date
            elif self.kind_of(row.source_id) != "staff":
                why = self.gone("users", row.source_id) or "is not a user in users.csv or Homeroom"
                self.report.warning(demographics_name, row.line, "sourcedId",
                                    f"'{row.source_id}' {why}; the row is skipped")
        for sid in self.deleted("demographics"):
            self.plan.birth_dates.setdefault(sid, None)
        self.plan.clear_other_birth_dates = self.roster.mode("demographics") == "bulk"

    def assignments(self) -> None:
        report, plan, line_items_name = self.report, self.plan, self.file_name("lineItems")
        categories = {c.source_id: c.title for c in self.roster.rows("categories")}
        for item in self.roster.rows("lineItems"):
            gone_class = self.gone("classes", item.section)
            if gone_class:
                self.not_imported("lineItems", item.line, "classSourcedId", f"the class '{item.section}' {gone_class}",
                                  "assignment", "line_item", item.source_id, self.known.line_items)
                self.leave_out("lineItems", item.source_id, item.line)
                continue
            if item.section not in self.known_sections:
                report.error(line_items_name, item.line, "classSourcedId",
                             f"'{item.section}' is not a class in classes.csv or Homeroom")
                continue
            period = item.grading_period
            if period and period not in self.known_sessions:
                report.warning(line_items_name, item.line, "academicSessionSourcedId",
                               f"'{period}' is not in academicSessions.csv or Homeroom; it is left out")
                period = ""
            category = categories.get(item.category, "")
            if item.category and not category and "categories" in self.roster.files:
                report.warning(line_items_name, item.line, "categorySourcedId",
                               f"'{item.category}' is not in categories.csv; the category is left as it was")
            plan.line_items.append(LineItemRow(item.source_id, item.section, item.title, category, item.assign_date,
                                               item.due_date, period, item.points_possible))
        self.known_line_items = set(self.known.line_items) | {i.source_id for i in plan.line_items}
        self.make_inactive("line_item", "lineItems", self.known.line_items)

    def scores(self) -> None:
        report, results_name = self.report, self.file_name("results")
        for result in self.roster.rows("results"):
            gone_item = self.gone("lineItems", result.line_item)
            gone_student = self.gone("users", result.student)
            if gone_item or gone_student:
                why = f"the assignment '{result.line_item}' {gone_item}" if gone_item else \
                    f"the student '{result.student}' {gone_student}"
                self.not_imported("results", result.line, "lineItemSourcedId" if gone_item else "studentSourcedId",
                                  why, "score", "result", result.source_id, self.known.results)
                continue
            problem = False
            if result.line_item not in self.known_line_items:
                report.error(results_name, result.line, "lineItemSourcedId",
                             f"'{result.line_item}' is not in lineItems.csv or Homeroom")
                problem = True
            if self.kind_of(result.student) == "staff":
                report.warning(results_name, result.line, "studentSourcedId",
                               "the user has a staff role Homeroom does not keep; the score is skipped")
                continue
            if not self.is_person(result.student):
                report.error(results_name, result.line, "studentSourcedId",
                             f"'{result.student}' is not a user in users.csv or Homeroom")
                problem = True
            if not problem:
                self.plan.results.append(ResultRow(
                    result.source_id, result.line_item, result.student, result.score, result.score_status,
                    result.missing, result.late, result.score_status == "exempt", result.comment,
                    result.score_date))
        self.make_inactive("result", "results", self.known.results)
