"""What a OneRoster run will write, worked out from the files and what Homeroom already holds. Pure: the
database is read beforehand into `Known`, and the plan is written by oneroster.py.

Choices (the README repeats them):
- Rows are never deleted: `tobedeleted`, and in a bulk file every row that is absent, make the row
  `inactive` (people, schools, sessions, courses, classes, enrollments, assignments, scores). Accounts,
  keys and history point at these rows, and a row that comes back is simply active again.
  Guardian links and class terms are relationships without a status: those are deleted.
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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.importers.oneroster_files import (
    GUARDIAN_ROLES,
    ClassRecord,
    RosterFiles,
    User,
    person_kind,
)
from app.importers.problems import ImportReport

KIND_ORDER = ("student", "guardian", "teacher", "staff")


@dataclass
class Known:
    """What the database holds before the run (source ids, and the facts the checks need)."""

    schools: dict[str, str] = field(default_factory=dict)  # sourcedId -> status
    sessions: dict[str, str] = field(default_factory=dict)
    courses: dict[str, str] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    persons: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)  # -> (kind, status, number)
    enrollments: dict[str, str] = field(default_factory=dict)
    line_items: dict[str, str] = field(default_factory=dict)
    results: dict[str, str] = field(default_factory=dict)

    def number_holders(self) -> dict[str, str]:
        return {number: sid for sid, (_, _, number) in self.persons.items() if number}


@dataclass
class RosterPlan:
    schools: list[tuple] = field(default_factory=list)  # (sid, name)
    session_levels: list[list[tuple]] = field(default_factory=list)  # parents first
    courses: list[tuple] = field(default_factory=list)  # (sid, title, code, school sid | "")
    sections: list[tuple] = field(default_factory=list)  # (sid, title, code, course sid|"", school sid, periods, room)
    section_terms: dict[str, set[str]] = field(default_factory=dict)
    persons: list[tuple] = field(default_factory=list)  # (sid, kind, given, family, email, number)
    release_numbers: set[str] = field(default_factory=set)  # persons whose student number moves to another
    enrollments: list[tuple] = field(default_factory=list)  # (sid, section sid, person sid, role, primary, begin, end)
    school_enrollments: dict[tuple[str, str], str | None] = field(default_factory=dict)  # -> grade (None: keep)
    school_scope: set[str] | None = field(default_factory=set)  # students whose schools are replaced; None: all
    school_ended: set[tuple[str, str]] = field(default_factory=set)
    links: dict[tuple[str, str], tuple[str, bool] | None] = field(default_factory=dict)  # None: keep relationship
    link_scope: set[str] | None = field(default_factory=set)  # persons whose links are replaced; None: all
    birth_dates: dict[str, date | None] = field(default_factory=dict)
    clear_other_birth_dates: bool = False
    line_items: list[tuple] = field(default_factory=list)
    results: list[tuple] = field(default_factory=list)
    inactive: dict[str, set[str]] = field(default_factory=dict)  # table -> sourcedIds


def _absent_in_bulk(roster: RosterFiles, name: str, known: dict[str, str]) -> set[str]:
    found = roster.get(name)
    if found is None or found.mode != "bulk":
        return set()
    present = found.ids()
    return {sid for sid, status in known.items() if status != "inactive" and sid not in present}


def plan_roster(roster: RosterFiles, known: Known, report: ImportReport) -> RosterPlan:
    plan = RosterPlan()
    files = roster.files

    def deleted(name: str) -> set[str]:
        return set(files[name].deleted) if name in files else set()

    # ------------------------------------------------------------------ schools
    orgs = {o.source_id: o for o in roster.rows("orgs")}
    school_ids = {sid for sid, o in orgs.items() if o.type == "school"}
    orgs_name = files["orgs"].name if "orgs" in files else "orgs.csv"
    for record in roster.rows("classes"):
        org = orgs.get(record.school)
        if org is not None and record.school not in school_ids:
            school_ids.add(record.school)
            report.warning(orgs_name, org.line, "type",
                           f"org '{org.source_id}' has type '{org.type}', but classes.csv uses it as a school "
                           f"(first on line {record.line}); it is kept as a school")
    plan.schools = [(sid, orgs[sid].name) for sid in orgs if sid in school_ids]
    known_schools = set(known.schools) | school_ids
    other_orgs = set(orgs) - school_ids
    plan.inactive["school"] = (deleted("orgs") & set(known.schools)) | \
        (_absent_in_bulk(roster, "orgs", known.schools) - school_ids)

    # ------------------------------------------------------------------ sessions
    sessions = {s.source_id: s for s in roster.rows("academicSessions")}
    sessions_name = files["academicSessions"].name if "academicSessions" in files else "academicSessions.csv"
    known_sessions = set(known.sessions) | set(sessions)
    depth: dict[str, int] = {}
    for sid, session in sessions.items():
        chain, cursor = [], sid
        while cursor in sessions and cursor not in depth and cursor not in chain:
            chain.append(cursor)
            cursor = sessions[cursor].parent
        if cursor in chain:
            report.error(sessions_name, session.line, "parentSourcedId", "the sessions' parents go round in a circle")
            base = 0
        else:
            base = depth.get(cursor, -1) + 1 if cursor in sessions else 0
        for offset, item in enumerate(reversed(chain)):
            depth[item] = base + offset
    levels: dict[int, list[tuple]] = {}
    for sid, session in sessions.items():
        parent = session.parent
        if parent and parent not in known_sessions:
            report.warning(sessions_name, session.line, "parentSourcedId",
                           f"'{parent}' is not in academicSessions.csv or Homeroom; the session is kept without it")
            parent = ""
        levels.setdefault(depth.get(sid, 0), []).append(
            (sid, session.title, session.kind, session.start_date, session.end_date, parent, session.school_year))
    plan.session_levels = [levels[d] for d in sorted(levels)]
    plan.inactive["academic_session"] = (deleted("academicSessions") & set(known.sessions)) | \
        _absent_in_bulk(roster, "academicSessions", known.sessions)

    # ------------------------------------------------------------------ courses
    courses_name = files["courses"].name if "courses" in files else "courses.csv"
    for course in roster.rows("courses"):
        school = course.org
        if school and school not in known_schools:
            if school not in other_orgs:
                report.warning(courses_name, course.line, "orgSourcedId",
                               f"'{school}' is not a school in orgs.csv or Homeroom; the course is kept without one")
            school = ""
        plan.courses.append((course.source_id, course.title, course.course_code, school))
    known_courses = set(known.courses) | {c[0] for c in plan.courses}
    plan.inactive["course"] = (deleted("courses") & set(known.courses)) | \
        _absent_in_bulk(roster, "courses", known.courses)

    # ------------------------------------------------------------------ classes
    classes_name = files["classes"].name if "classes" in files else "classes.csv"
    record: ClassRecord
    for record in roster.rows("classes"):
        if record.school not in known_schools:
            report.error(classes_name, record.line, "schoolSourcedId",
                         f"'{record.school}' is not a school in orgs.csv or Homeroom")
            continue
        course = record.course
        if course and course not in known_courses:
            report.warning(classes_name, record.line, "courseSourcedId",
                           f"'{course}' is not in courses.csv or Homeroom; the class is kept without a course")
            course = ""
        terms = set()
        for term in record.terms:
            if term in known_sessions:
                terms.add(term)
            else:
                report.warning(classes_name, record.line, "termSourcedIds",
                               f"'{term}' is not in academicSessions.csv or Homeroom; that term is left out")
        plan.sections.append((record.source_id, record.title, record.class_code, course, record.school,
                              record.periods, record.room))
        plan.section_terms[record.source_id] = terms
    known_sections = set(known.sections) | {s[0] for s in plan.sections}
    plan.inactive["section"] = (deleted("classes") & set(known.sections)) | \
        _absent_in_bulk(roster, "classes", known.sections)

    # ------------------------------------------------------------------ people
    users_name = files["users"].name if "users" in files else "users.csv"
    roles_name = files["roles"].name if "roles" in files else "roles.csv"
    users: dict[str, User] = {u.source_id: u for u in roster.rows("users")}
    roles_by_user: dict[str, list] = {}
    for role in roster.rows("roles"):
        if role.user not in users and role.user not in known.persons:
            report.warning(roles_name, role.line, "userSourcedId",
                           f"'{role.user}' is not in users.csv or Homeroom; this role is left out")
            continue
        roles_by_user.setdefault(role.user, []).append(role)

    kinds: dict[str, str] = {}  # sourcedId -> kind, for users in the files
    relationship: dict[str, str] = {}  # guardian sourcedId -> parent | guardian | relative
    for sid, user in users.items():
        roles = [r.role for r in roles_by_user.get(sid, []) if r.active]
        if user.role:
            roles.append(user.role)
        if not roles:
            if sid in known.persons:
                kinds[sid] = known.persons[sid][0]
                continue
            report.error(users_name, user.line, "sourcedId",
                         f"user '{sid}' has no role: roles.csv has no row for them and Homeroom does not know them")
            continue
        found = sorted({person_kind(r) for r in roles}, key=KIND_ORDER.index)
        kinds[sid] = found[0]
        if len(found) > 1 and found[0] != "staff" and found[1] != "staff":
            report.warning(users_name, user.line, "sourcedId",
                           f"user '{sid}' has the roles {', '.join(found)}; Homeroom keeps them as a {found[0]}")
        guardian_roles = [r for r in roles if r in GUARDIAN_ROLES]
        if guardian_roles:
            relationship[sid] = "guardian" if "guardian" in guardian_roles else guardian_roles[0]
    for sid, found in roles_by_user.items():
        if sid not in users and any(r.active for r in found):
            kinds.setdefault(sid, known.persons[sid][0])

    staff = [u for sid, u in users.items() if kinds.get(sid) == "staff"]
    for user in staff:
        report.warning(users_name, user.line, "role", "staff roles (administrator, aide, counselor, principal...) "
                                                      "are not portal people; these users are skipped")

    def kind_of(sid: str) -> str | None:
        if sid in kinds:
            return kinds[sid]
        if sid in known.persons:
            return known.persons[sid][0]
        return None

    holders = known.number_holders()
    numbers_in_file: dict[str, tuple[str, int]] = {}
    for sid, user in users.items():
        kind = kinds.get(sid)
        if kind is None or kind == "staff":
            continue
        number = user.identifier if kind == "student" and user.identifier else None
        if number:
            if number in numbers_in_file:
                other, line = numbers_in_file[number]
                report.error(users_name, user.line, "identifier",
                             f"student number '{number}' is also given to '{other}' on line {line}")
                continue
            numbers_in_file[number] = (sid, user.line)
        plan.persons.append((sid, kind, user.given_name, user.family_name, user.email, number))
    for number, (sid, line) in numbers_in_file.items():
        holder = holders.get(number)
        if holder and holder != sid:
            if holder in users:
                plan.release_numbers.add(holder)
            else:
                report.error(users_name, line, "identifier",
                             f"student number '{number}' already belongs to student '{holder}', who is not in "
                             f"this file")
    stored_people = {p[0] for p in plan.persons}
    person_inactive = (deleted("users") & set(known.persons)) | _absent_in_bulk(
        roster, "users", {sid: status for sid, (_, status, _) in known.persons.items()})
    person_inactive |= {u.source_id for u in staff if u.source_id in known.persons}
    plan.inactive["person"] = person_inactive

    def is_person(sid: str) -> bool:
        return sid in stored_people or (sid in known.persons and sid not in kinds)

    # ------------------------------------------------------------------ a student's schools
    bulk_schools = roster.mode("users") == "bulk" or roster.mode("roles") == "bulk"
    plan.school_scope = None if bulk_schools else set()
    for sid, user in users.items():
        if kinds.get(sid) != "student":
            continue
        student_roles = [r for r in roles_by_user.get(sid, []) if r.role == "student"]
        org_list = [r.org for r in student_roles if r.active] if student_roles else list(user.orgs)
        if org_list and plan.school_scope is not None:
            plan.school_scope.add(sid)
        for org in org_list:
            if org in known_schools:
                plan.school_enrollments[(sid, org)] = user.grade
            elif org not in other_orgs:
                report.warning(users_name if not student_roles else roles_name, user.line,
                               "orgSourcedIds" if not student_roles else "orgSourcedId",
                               f"'{org}' is not an org in orgs.csv or a school in Homeroom; that school is left out")
    for sid, found in roles_by_user.items():
        if sid in users or kind_of(sid) != "student":
            continue
        for role in found:
            if role.role != "student" or role.org not in known_schools:
                continue
            if role.active:
                plan.school_enrollments[(sid, role.org)] = None
            else:
                plan.school_ended.add((sid, role.org))

    # ------------------------------------------------------------------ guardians
    plan.link_scope = None if roster.mode("users") == "bulk" else set()
    for sid, user in users.items():
        kind = kinds.get(sid)
        if not user.agents or kind in (None, "staff"):
            continue
        if kind == "teacher":
            report.warning(users_name, user.line, "agentSourcedIds",
                           "a teacher's agentSourcedIds are not used; no links are made")
            continue
        if plan.link_scope is not None:
            plan.link_scope.add(sid)
        for agent in user.agents:
            agent_kind = kind_of(agent)
            if agent_kind is None:
                report.warning(users_name, user.line, "agentSourcedIds",
                               f"'{agent}' is not in users.csv or Homeroom; no link is made to them")
                continue
            if kind == "student" and agent_kind == "guardian":
                guardian, student = agent, sid
            elif kind == "guardian" and agent_kind == "student":
                guardian, student = sid, agent
            else:
                report.warning(users_name, user.line, "agentSourcedIds",
                               f"'{agent}' is a {agent_kind}, not a {'parent or guardian' if kind == 'student' else 'student'}; "
                               f"no link is made")
                continue
            role = relationship.get(guardian)
            plan.links[(guardian, student)] = (role, role != "relative") if role else None

    # ------------------------------------------------------------------ class enrollments
    enrollments_name = files["enrollments"].name if "enrollments" in files else "enrollments.csv"
    for enrollment in roster.rows("enrollments"):
        problem = False
        if enrollment.section not in known_sections:
            report.error(enrollments_name, enrollment.line, "classSourcedId",
                         f"'{enrollment.section}' is not a class in classes.csv or Homeroom")
            problem = True
        user_kind = kind_of(enrollment.user)
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
                           f"the enrollment says {enrollment.role}, but user '{enrollment.user}' is a {user_kind}; "
                           f"kept as given")
        if not problem:
            plan.enrollments.append((enrollment.source_id, enrollment.section, enrollment.user, enrollment.role,
                                     enrollment.primary, enrollment.begin_date, enrollment.end_date))
    plan.inactive["section_enrollment"] = (deleted("enrollments") & set(known.enrollments)) | \
        _absent_in_bulk(roster, "enrollments", known.enrollments)

    # ------------------------------------------------------------------ birth dates
    demographics_name = files["demographics"].name if "demographics" in files else "demographics.csv"
    for row in roster.rows("demographics"):
        if is_person(row.source_id):
            plan.birth_dates[row.source_id] = row.birth_date
        elif kind_of(row.source_id) != "staff":
            report.warning(demographics_name, row.line, "sourcedId",
                           f"'{row.source_id}' is not a user in users.csv or Homeroom; the row is skipped")
    for sid in deleted("demographics"):
        plan.birth_dates.setdefault(sid, None)
    plan.clear_other_birth_dates = roster.mode("demographics") == "bulk"

    # ------------------------------------------------------------------ assignments and scores
    categories = {c.source_id: c.title for c in roster.rows("categories")}
    line_items_name = files["lineItems"].name if "lineItems" in files else "lineItems.csv"
    for item in roster.rows("lineItems"):
        if item.section not in known_sections:
            report.error(line_items_name, item.line, "classSourcedId",
                         f"'{item.section}' is not a class in classes.csv or Homeroom")
            continue
        period = item.grading_period
        if period and period not in known_sessions:
            report.warning(line_items_name, item.line, "academicSessionSourcedId",
                           f"'{period}' is not in academicSessions.csv or Homeroom; it is left out")
            period = ""
        category = categories.get(item.category, "")
        if item.category and not category and "categories" in files:
            report.warning(line_items_name, item.line, "categorySourcedId",
                           f"'{item.category}' is not in categories.csv; the category is left as it was")
        plan.line_items.append((item.source_id, item.section, item.title, category, item.assign_date,
                                item.due_date, period, item.points_possible))
    known_line_items = set(known.line_items) | {i[0] for i in plan.line_items}
    plan.inactive["line_item"] = (deleted("lineItems") & set(known.line_items)) | \
        _absent_in_bulk(roster, "lineItems", known.line_items)

    results_name = files["results"].name if "results" in files else "results.csv"
    for result in roster.rows("results"):
        problem = False
        if result.line_item not in known_line_items:
            report.error(results_name, result.line, "lineItemSourcedId",
                         f"'{result.line_item}' is not in lineItems.csv or Homeroom")
            problem = True
        if not is_person(result.student):
            report.error(results_name, result.line, "studentSourcedId",
                         f"'{result.student}' is not a student in users.csv or Homeroom")
            problem = True
        if not problem:
            plan.results.append((result.source_id, result.line_item, result.student, result.score,
                                 result.score_status, result.missing, result.late,
                                 result.score_status == "exempt", result.comment, result.score_date))
    plan.inactive["result"] = (deleted("results") & set(known.results)) | \
        _absent_in_bulk(roster, "results", known.results)
    return plan
