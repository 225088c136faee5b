"""Reading one OneRoster 1.1 or 1.2 CSV set into checked records, file by file. Pure: no database.

Cross-file checks (does this class's school exist?) are in oneroster_plan.py.

Choices where the specification leaves room (they are in the README too):
- Without `manifest.csv` nothing is imported (an ERROR): the manifest says which files are bulk and which
  are delta, and guessing "bulk" would make people inactive by mistake.
- A file the manifest lists as `absent` but that is present is ignored (WARNING).
- `status` is read in both modes: empty or `active` is active; `tobedeleted` (and the non-standard
  `inactive`/`deleted`, with a WARNING) makes the row inactive. A `tobedeleted` row needs only its sourcedId.
- Dates: YYYY-MM-DD; a date-time (its date is kept) or 01/31/2024 (US order) are read with a WARNING.
- Enumerations (org type, session type, roles) are read without regard to case, with a WARNING when the
  case differs from the specification.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from app.importers.csv_reading import (
    BadValue,
    ColumnsExpected,
    CsvFile,
    CsvFolder,
    parse_date,
    parse_flag,
    parse_number,
    read_rows,
    split_list,
)
from app.importers.problems import ImportReport
from app.rules.emails import normalise_email

COMMON = ("sourcedId", "status", "dateLastModified")

COLUMNS: dict[str, ColumnsExpected] = {
    "orgs": ColumnsExpected(COMMON + ("name", "type", "identifier", "parentSourcedId"),
                            ("sourcedId", "name", "type")),
    "academicSessions": ColumnsExpected(
        COMMON + ("title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"),
        ("sourcedId", "title", "type", "startDate", "endDate")),
    "courses": ColumnsExpected(
        COMMON + ("schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects",
                  "subjectCodes", "resourceSourcedIds"),
        ("sourcedId", "title")),
    "classes": ColumnsExpected(
        COMMON + ("title", "grades", "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId",
                  "termSourcedIds", "subjects", "subjectCodes", "periods", "resourceSourcedIds"),
        ("sourcedId", "title", "schoolSourcedId")),
    "users": ColumnsExpected(
        COMMON + ("enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName", "familyName",
                  "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password",
                  "userMasterIdentifier", "resourceSourcedIds", "preferredGivenName", "preferredMiddleName",
                  "preferredFamilyName", "primaryOrgSourcedId", "pronouns"),
        ("sourcedId", "givenName", "familyName")),
    "roles": ColumnsExpected(
        COMMON + ("userSourcedId", "roleType", "role", "beginDate", "endDate", "orgSourcedId",
                  "userProfileSourcedId"),
        ("sourcedId", "userSourcedId", "role", "orgSourcedId")),
    "enrollments": ColumnsExpected(
        COMMON + ("classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate",
                  "endDate"),
        ("sourcedId", "classSourcedId", "userSourcedId", "role")),
    "demographics": ColumnsExpected(
        COMMON + ("birthDate", "sex", "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican",
                  "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces",
                  "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth",
                  "publicSchoolResidenceStatus"),
        ("sourcedId", "birthDate")),
    "categories": ColumnsExpected(COMMON + ("title", "weight"), ("sourcedId", "title")),
    "lineItems": ColumnsExpected(
        COMMON + ("title", "description", "assignDate", "dueDate", "classSourcedId", "categorySourcedId",
                  "gradingPeriodSourcedId", "academicSessionSourcedId", "resultValueMin", "resultValueMax",
                  "schoolSourcedId", "learningObjectiveSet", "scoreScaleSourcedId"),
        ("sourcedId", "title", "classSourcedId")),
    "results": ColumnsExpected(
        COMMON + ("lineItemSourcedId", "studentSourcedId", "scoreStatus", "score", "scoreDate", "comment",
                  "textScore", "classSourcedId", "inProgress", "incomplete", "late", "missing",
                  "learningObjectiveSet", "scoreScaleSourcedId"),
        ("sourcedId", "lineItemSourcedId", "studentSourcedId")),
}

IMPORTED_FILES = tuple(COLUMNS)  # the order they are read in
# OneRoster files Homeroom has no use for: present is fine, they are skipped with a note.
OTHER_ONEROSTER_FILES = ("classResources", "courseResources", "resources", "userProfiles", "userResources",
                         "scoreScales", "lineItemScoreScales", "resultScoreScales",
                         "lineItemLearningObjectiveIds", "resultLearningObjectiveIds")

ORG_TYPES = ("department", "school", "district", "local", "state", "national")
SESSION_TYPES = ("gradingPeriod", "semester", "schoolYear", "term")
GUARDIAN_ROLES = ("parent", "guardian", "relative")
STAFF_ROLES = ("administrator", "aide", "counselor", "districtAdministrator", "principal", "proctor",
               "siteAdministrator", "systemAdministrator")
USER_ROLES = ("student", "teacher") + GUARDIAN_ROLES + STAFF_ROLES
ENROLLMENT_ROLES = ("student", "teacher", "administrator", "proctor", "aide", "guardian", "parent", "relative")
SCORE_STATUSES = ("exempt", "fully graded", "not submitted", "partially graded", "submitted")


def person_kind(role: str) -> str:
    """OneRoster role -> Person.kind; "staff" roles are not people the portal shows."""
    if role == "student":
        return "student"
    if role in GUARDIAN_ROLES:
        return "guardian"
    if role == "teacher":
        return "teacher"
    return "staff"


# -------------------------------------------------------------------------------------------------- records


class Org(NamedTuple):
    source_id: str
    name: str
    type: str
    line: int


class Session(NamedTuple):
    source_id: str
    title: str
    kind: str
    start_date: date
    end_date: date
    parent: str
    school_year: int
    line: int


class CourseRecord(NamedTuple):
    source_id: str
    title: str
    course_code: str
    org: str
    line: int


class ClassRecord(NamedTuple):
    source_id: str
    title: str
    class_code: str
    course: str
    school: str
    terms: tuple[str, ...]
    periods: str
    room: str
    line: int


class User(NamedTuple):
    source_id: str
    role: str  # "" in 1.2 (the role is in roles.csv)
    given_name: str
    family_name: str
    email: str | None
    identifier: str
    orgs: tuple[str, ...]
    agents: tuple[str, ...]
    grade: str
    line: int


class RoleRecord(NamedTuple):
    source_id: str
    user: str
    role: str
    primary: bool
    org: str
    active: bool
    line: int


class Enrollment(NamedTuple):
    source_id: str
    section: str
    user: str
    role: str
    primary: bool
    begin_date: date | None
    end_date: date | None
    line: int


class Demographic(NamedTuple):
    source_id: str  # the user's sourcedId
    birth_date: date | None
    line: int


class Category(NamedTuple):
    source_id: str
    title: str
    line: int


class LineItemRecord(NamedTuple):
    source_id: str
    title: str
    section: str
    category: str
    grading_period: str
    assign_date: date | None
    due_date: date | None
    points_possible: float | None
    line: int


class ResultRecord(NamedTuple):
    source_id: str
    line_item: str
    student: str
    score_status: str
    score: float | None
    score_date: date | None
    comment: str
    late: bool
    missing: bool
    line: int


@dataclass
class RosterFile:
    """One file's active rows, the sourcedIds it marks tobedeleted, and its mode."""

    name: str  # as found, for messages
    mode: str  # bulk | delta
    rows: list = field(default_factory=list)
    deleted: dict[str, int] = field(default_factory=dict)  # sourcedId -> line

    def ids(self) -> set[str]:
        return {r.source_id for r in self.rows} | set(self.deleted)


@dataclass
class RosterFiles:
    version: str  # "1.1" | "1.2"
    files: dict[str, RosterFile] = field(default_factory=dict)

    def get(self, name: str) -> RosterFile | None:
        return self.files.get(name)

    def rows(self, name: str) -> list:
        found = self.files.get(name)
        return found.rows if found else []

    def mode(self, name: str) -> str | None:
        found = self.files.get(name)
        return found.mode if found else None


# --------------------------------------------------------------------------------------------------- manifest


def read_manifest(folder: CsvFolder, report: ImportReport) -> tuple[str, dict[str, str]] | None:
    """(OneRoster version, {file: bulk|delta}) or None with errors."""
    found = folder.find("manifest.csv")
    if found is None:
        report.error("manifest.csv", None, "", "there is no manifest.csv: it must say which files are bulk and "
                                                "which are delta (OneRoster requires it)")
        return None
    with found.open_bytes() as raw:
        try:
            text = raw.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            report.error(found.name, None, "", "the text is not UTF-8: save the file as UTF-8 CSV")
            return None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip() for c in rows[0][:2]] != ["propertyName", "value"]:
        report.warning(found.name, 1, "", "the header should be 'propertyName,value'; the rows are read anyway")
        if rows and rows[0] and rows[0][0].strip().lower() == "propertyname":
            rows = rows[1:]
    else:
        rows = rows[1:]
    properties: dict[str, tuple[str, int]] = {}
    for number, cells in enumerate(rows, start=2):
        if not cells or not cells[0].strip():
            continue
        properties[cells[0].strip()] = ((cells[1].strip() if len(cells) > 1 else ""), number)

    version, version_line = properties.get("oneroster.version", ("", None))
    if version in ("1.0", "1.1"):
        if version == "1.0":
            report.warning(found.name, version_line, "value", "oneroster.version 1.0 is read as 1.1")
        version = "1.1"
    elif version != "1.2":
        users = folder.find("users.csv")
        from app.importers.csv_reading import read_header

        guessed = "1.1" if users and "role" in [h.strip() for h in read_header(users)] else "1.2"
        report.warning(found.name, version_line, "value",
                       f"oneroster.version should be 1.1 or 1.2; the files look like {guessed} and are read so")
        version = guessed

    modes: dict[str, str] = {}
    lowered = {k.lower(): k for k in COLUMNS}
    for prop, (value, number) in properties.items():
        if not prop.startswith("file."):
            continue
        name = prop[5:]
        canonical = name if name in COLUMNS else lowered.get(name.lower())
        mode = value.lower()
        if mode not in ("bulk", "delta", "absent"):
            report.error(found.name, number, "value", f"{prop} must be bulk, delta or absent")
            continue
        if canonical is None:
            if mode != "absent" and name not in OTHER_ONEROSTER_FILES:
                report.warning(found.name, number, "propertyName", f"Homeroom does not know the file '{name}'")
            continue
        if canonical != name:
            report.warning(found.name, number, "propertyName", f"read as file.{canonical} (wrong case)")
        if mode != "absent":
            modes[canonical] = mode
    return version, modes


# ------------------------------------------------------------------------------------------------ the files


class _Cells:
    """Helpers for one row: each problem names the file, the row's line and the column."""

    def __init__(self, file: str, report: ImportReport) -> None:
        self.file = file
        self.report = report

    def date(self, row, column: str, required: bool = False) -> date | None:
        text = row.get(column)
        if not text:
            if required:
                self.report.error(self.file, row.line, column, "is empty; a date is needed (YYYY-MM-DD)")
            return None
        try:
            value, odd = parse_date(text)
        except BadValue as bad:
            self.report.error(self.file, row.line, column, f"'{text}' {bad}")
            return None
        if odd:
            self.report.warning(self.file, row.line, column, "the date is not written as YYYY-MM-DD; "
                                                             "its date part was read")
        return value

    def text(self, row, column: str, limit: int, required: bool = False) -> str:
        value = row.get(column)
        if required and not value:
            self.report.error(self.file, row.line, column, "is empty; a value is needed")
        if len(value) > limit:
            self.report.error(self.file, row.line, column, f"is longer than {limit} characters")
            return value[:limit]
        return value

    def choice(self, row, column: str, allowed: tuple[str, ...], *, error: bool = True) -> str:
        value = row.get(column)
        if value in allowed:
            return value
        by_case = {a.lower(): a for a in allowed}
        if value.lower() in by_case:
            self.report.warning(self.file, row.line, column,
                                f"'{value}' read as '{by_case[value.lower()]}' (OneRoster values are case-sensitive)")
            return by_case[value.lower()]
        message = f"'{value}' is not one of: {', '.join(allowed)}" if value else \
            f"is empty; it must be one of: {', '.join(allowed)}"
        if error:
            self.report.error(self.file, row.line, column, message)
        else:
            self.report.warning(self.file, row.line, column, message)
        return ""

    def flag(self, row, column: str) -> bool:
        try:
            return parse_flag(row.get(column))
        except BadValue as bad:
            self.report.warning(self.file, row.line, column, f"'{row.get(column)}' {bad}; read as false")
            return False

    def number(self, row, column: str) -> float | None:
        text = row.get(column)
        if not text:
            return None
        try:
            return parse_number(text)
        except BadValue as bad:
            self.report.error(self.file, row.line, column, f"'{text}' {bad}")
            return None


def _status(file: str, row, report: ImportReport) -> str | None:
    """'active', 'tobedeleted', or None (an error was reported)."""
    value = row.get("status").strip()
    lowered = value.lower()
    if lowered in ("", "active"):
        if value and value != "active":
            report.warning(file, row.line, "status", f"'{value}' read as 'active'")
        return "active"
    if lowered == "tobedeleted":
        if value != "tobedeleted":
            report.warning(file, row.line, "status", f"'{value}' read as 'tobedeleted'")
        return "tobedeleted"
    if lowered in ("inactive", "deleted"):
        report.warning(file, row.line, "status", f"'{value}' is not a OneRoster status; read as 'tobedeleted'")
        return "tobedeleted"
    report.error(file, row.line, "status", f"'{value}' must be active, tobedeleted or empty")
    return None


def read_roster(folder: CsvFolder, report: ImportReport) -> RosterFiles | None:
    """Every file the manifest names, read and checked on its own. None if the manifest is unusable."""
    manifest = read_manifest(folder, report)
    if manifest is None:
        return None
    version, modes = manifest
    roster = RosterFiles(version)

    canonical_names = {f"{n}.csv".lower(): n for n in (*COLUMNS, *OTHER_ONEROSTER_FILES)}
    for present in folder.names():
        key = present.lower()
        if key == "manifest.csv":
            continue
        name = canonical_names.get(key)
        if name is None:
            report.warning(present, None, "", "this is not a OneRoster file; it is ignored")
        elif name in OTHER_ONEROSTER_FILES:
            report.note(f"{present}: a OneRoster file Homeroom does not use; ignored")
        elif name not in modes:
            report.warning(present, None, "", f"the manifest says file.{name} is absent; this file is ignored")
        if name and present != f"{name}.csv":
            report.warning(present, None, "", f"the file name should be {name}.csv (OneRoster names are "
                                              f"case-sensitive); it was found anyway")

    for name in IMPORTED_FILES:
        if name not in modes:
            continue
        found = folder.find(f"{name}.csv")
        if found is None:
            report.error(f"{name}.csv", None, "", f"the manifest says file.{name} is {modes[name]}, "
                                                  f"but there is no {name}.csv")
            continue
        roster.files[name] = _read_file(name, found, modes[name], version, report)
    return roster


def _read_file(name: str, found: CsvFile, mode: str, version: str, report: ImportReport) -> RosterFile:
    result = RosterFile(found.name, mode)
    cells = _Cells(found.name, report)
    seen: dict[str, int] = {}
    build = _BUILDERS[name]
    for row in read_rows(found, COLUMNS[name], report):
        source_id = row.get("sourcedId")
        if not source_id:
            report.error(found.name, row.line, "sourcedId", "is empty; every row needs its sourcedId")
            continue
        if len(source_id) > 255:
            report.error(found.name, row.line, "sourcedId", "is longer than 255 characters")
            continue
        if source_id in seen:
            report.error(found.name, row.line, "sourcedId",
                         f"'{source_id}' appears again (first on line {seen[source_id]}); each row needs its own")
            continue
        seen[source_id] = row.line
        status = _status(found.name, row, report)
        if status is None:
            continue
        if name == "users" and row.get("password"):
            report.warning(found.name, row.line, "password", "has a password: Homeroom never reads or keeps "
                                                             "passwords; ask the SIS to leave this column empty")
        if status == "tobedeleted":
            result.deleted[source_id] = row.line
            if name == "roles" and row.get("userSourcedId") and row.get("orgSourcedId"):
                ended = _role(row, cells, version)
                if ended is not None:
                    result.rows.append(ended._replace(active=False))
            continue
        record = build(row, cells, version)
        if record is not None:
            result.rows.append(record)
    return result


# ---------------------------------------------------------------------------------------------- row builders


def _org(row, cells: _Cells, version: str) -> Org:
    kind = cells.choice(row, "type", ORG_TYPES)
    return Org(row.get("sourcedId"), cells.text(row, "name", 255, required=True), kind, row.line)


def _session(row, cells: _Cells, version: str) -> Session | None:
    kind = cells.choice(row, "type", SESSION_TYPES)
    start = cells.date(row, "startDate", required=True)
    end = cells.date(row, "endDate", required=True)
    title = cells.text(row, "title", 255, required=True)
    year_text = row.get("schoolYear")
    school_year = None
    if year_text:
        try:
            school_year = int(year_text)
            if not 1900 < school_year < 2200:
                raise ValueError
        except ValueError:
            cells.report.error(cells.file, row.line, "schoolYear", f"'{year_text}' is not a year (like 2025)")
            return None
    if start and end:
        if end < start:
            cells.report.error(cells.file, row.line, "endDate", "is before startDate")
            return None
        if school_year is None:
            school_year = end.year
            cells.report.warning(cells.file, row.line, "schoolYear", "is empty; the year endDate falls in is used")
    if not (kind and start and end and school_year):
        return None
    return Session(row.get("sourcedId"), title, kind, start, end, row.get("parentSourcedId"), school_year, row.line)


def _course(row, cells: _Cells, version: str) -> CourseRecord:
    return CourseRecord(row.get("sourcedId"), cells.text(row, "title", 255, required=True),
                        cells.text(row, "courseCode", 64), row.get("orgSourcedId"), row.line)


def _class(row, cells: _Cells, version: str) -> ClassRecord:
    return ClassRecord(row.get("sourcedId"), cells.text(row, "title", 255, required=True),
                       cells.text(row, "classCode", 64), row.get("courseSourcedId"),
                       cells.text(row, "schoolSourcedId", 255, required=True),
                       tuple(split_list(row.get("termSourcedIds"))), cells.text(row, "periods", 64),
                       cells.text(row, "location", 64), row.line)


def _user(row, cells: _Cells, version: str) -> User | None:
    role = ""
    if row.get("role") or version == "1.1":
        role = cells.choice(row, "role", USER_ROLES)
        if not role:
            return None
    typed_email = row.get("email")
    email = None
    if typed_email:
        email = normalise_email(typed_email)
        if email is None:
            cells.report.warning(cells.file, row.line, "email", "is not an email address; it is left out")
    grades = split_list(row.get("grades"))
    orgs = split_list(row.get("orgSourcedIds"))
    if not orgs and row.get("primaryOrgSourcedId"):
        orgs = [row.get("primaryOrgSourcedId")]
    return User(row.get("sourcedId"), role, cells.text(row, "givenName", 255), cells.text(row, "familyName", 255),
                email, cells.text(row, "identifier", 64), tuple(orgs), tuple(split_list(row.get("agentSourcedIds"))),
                grades[0][:8] if grades else "", row.line)


def _role(row, cells: _Cells, version: str) -> RoleRecord | None:
    role = cells.choice(row, "role", USER_ROLES)
    if not role:
        return None
    role_type = row.get("roleType").lower()
    return RoleRecord(row.get("sourcedId"), cells.text(row, "userSourcedId", 255, required=True), role,
                      role_type != "secondary", row.get("orgSourcedId"), True, row.line)


def _enrollment(row, cells: _Cells, version: str) -> Enrollment | None:
    role = cells.choice(row, "role", ENROLLMENT_ROLES)
    if not role:
        return None
    return Enrollment(row.get("sourcedId"), cells.text(row, "classSourcedId", 255, required=True),
                      cells.text(row, "userSourcedId", 255, required=True), role, cells.flag(row, "primary"),
                      cells.date(row, "beginDate"), cells.date(row, "endDate"), row.line)


def _demographic(row, cells: _Cells, version: str) -> Demographic:
    return Demographic(row.get("sourcedId"), cells.date(row, "birthDate"), row.line)


def _category(row, cells: _Cells, version: str) -> Category:
    return Category(row.get("sourcedId"), cells.text(row, "title", 120), row.line)


def _line_item(row, cells: _Cells, version: str) -> LineItemRecord:
    period = row.get("academicSessionSourcedId") or row.get("gradingPeriodSourcedId")
    return LineItemRecord(row.get("sourcedId"), cells.text(row, "title", 255, required=True),
                          cells.text(row, "classSourcedId", 255, required=True), row.get("categorySourcedId"),
                          period, cells.date(row, "assignDate"), cells.date(row, "dueDate"),
                          cells.number(row, "resultValueMax"), row.line)


def _result(row, cells: _Cells, version: str) -> ResultRecord:
    status = row.get("scoreStatus")
    if status:
        status = cells.choice(row, "scoreStatus", SCORE_STATUSES, error=False) or status.lower()[:40]
    else:
        status = "fully graded"
    return ResultRecord(row.get("sourcedId"), cells.text(row, "lineItemSourcedId", 255, required=True),
                        cells.text(row, "studentSourcedId", 255, required=True), status,
                        cells.number(row, "score"), cells.date(row, "scoreDate"), row.get("comment"),
                        cells.flag(row, "late"), cells.flag(row, "missing"), row.line)


_BUILDERS = {
    "orgs": _org,
    "academicSessions": _session,
    "courses": _course,
    "classes": _class,
    "users": _user,
    "roles": _role,
    "enrollments": _enrollment,
    "demographics": _demographic,
    "categories": _category,
    "lineItems": _line_item,
    "results": _result,
}
