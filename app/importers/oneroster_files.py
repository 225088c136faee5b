"""Reading one OneRoster 1.1 or 1.2 CSV set into checked records, file by file. Pure: no database.

Cross-file checks (does this class's school exist?) are in oneroster_plan.py.

Choices where the specification leaves room (they are in the README too):
- Without `manifest.csv` nothing is imported (an ERROR): the manifest says which files are bulk and which
  are delta, and guessing "bulk" would make people inactive by mistake.
- A file the manifest lists as `absent` but that is present is ignored (WARNING). A manifest value left empty
  (producers do this for files they do not send) is `absent`, or `delta` when the file is there (WARNING:
  delta changes only the rows listed, so nothing is made inactive by a guess). A file the manifest says is
  bulk or delta but that is missing is read as absent (WARNING). Property names are read without regard
  to case (`File.Users`).
- A sourcedId repeated in one file: the very same row again is read once (WARNING); a user repeated with
  another role (one row per role) gets all the rows' roles, orgs and agents (WARNING); rows that differ
  otherwise are an ERROR (which one is right cannot be known).
- A 1.1 user with an empty role, or a 1.2 user with no active row in roles.csv, whom Homeroom does not know,
  is left out (WARNING), and rows naming them are too, each with a WARNING saying why.
- `status` is read in both modes: empty or `active` is active; `tobedeleted` (and the non-standard
  `inactive`/`deleted`, with a WARNING) makes the row inactive. A `tobedeleted` row needs only its sourcedId.
- Dates: YYYY-MM-DD; a date-time (2024-01-31T00:00:00Z, 2024-01-31 0:00: the date written is kept) or
  1/31/2024 (US order, with or without a time after it: 8/10/2026 0:00) are read with a WARNING.
- Empty lines and lines of commas only (spreadsheets leave them at the end) are not rows.
- Enumerations (org type, session type, roles) are read without regard to case, with a WARNING when the
  case differs from the specification.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
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
from app.importers.dates import BadDate, read_moment
from app.importers.problems import ImportReport
from app.rules.emails import normalise_email
from app.rules.grade_levels import GRADE_LENGTH
from app.rules.languages import sis_language_code
from app.rules.phones import check_phone, import_warning

COMMON = ("sourcedId", "status", "dateLastModified")
# OneRoster has no language field; producers that send one use a metadata column (the standard's extension
# point) or a column of their own. Any of these names is read as the person's language (users.csv or
# demographics.csv), without a warning.
LANGUAGE_COLUMNS = tuple((f"{prefix}{name}", "language") for prefix in ("metadata.", "")
                         for name in ("language", "primaryLanguage", "homeLanguage", "preferredLanguage",
                                      "languageCode"))


def _columns(known: tuple[str, ...], required: tuple[str, ...], aliases: tuple[tuple[str, str], ...] = ()
             ) -> ColumnsExpected:
    return ColumnsExpected(known, required, aliases, standard="OneRoster")


COLUMNS: dict[str, ColumnsExpected] = {
    "orgs": _columns(COMMON + ("name", "type", "identifier", "parentSourcedId"),
                     ("sourcedId", "name", "type")),
    "academicSessions": _columns(
        COMMON + ("title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"),
        ("sourcedId", "title", "type", "startDate", "endDate")),
    "courses": _columns(
        COMMON + ("schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects",
                  "subjectCodes", "resourceSourcedIds"),
        ("sourcedId", "title")),
    "classes": _columns(
        COMMON + ("title", "grades", "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId",
                  "termSourcedIds", "subjects", "subjectCodes", "periods", "resourceSourcedIds"),
        ("sourcedId", "title", "schoolSourcedId")),
    "users": _columns(
        COMMON + ("enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName", "familyName",
                  "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password",
                  "userMasterIdentifier", "resourceSourcedIds", "preferredGivenName", "preferredMiddleName",
                  "preferredFamilyName", "primaryOrgSourcedId", "pronouns"),
        ("sourcedId", "givenName", "familyName"), LANGUAGE_COLUMNS),
    "roles": _columns(
        COMMON + ("userSourcedId", "roleType", "role", "beginDate", "endDate", "orgSourcedId",
                  "userProfileSourcedId"),
        ("sourcedId", "userSourcedId", "role", "orgSourcedId")),
    "enrollments": _columns(
        COMMON + ("classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate",
                  "endDate"),
        ("sourcedId", "classSourcedId", "userSourcedId", "role")),
    "demographics": _columns(
        COMMON + ("birthDate", "sex", "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican",
                  "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces",
                  "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth",
                  "publicSchoolResidenceStatus"),
        ("sourcedId", "birthDate"), LANGUAGE_COLUMNS),
    "categories": _columns(COMMON + ("title", "weight"), ("sourcedId", "title")),
    "lineItems": _columns(
        COMMON + ("title", "description", "assignDate", "dueDate", "classSourcedId", "categorySourcedId",
                  "gradingPeriodSourcedId", "academicSessionSourcedId", "resultValueMin", "resultValueMax",
                  "schoolSourcedId", "learningObjectiveSet", "scoreScaleSourcedId"),
        ("sourcedId", "title", "classSourcedId")),
    "results": _columns(
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
    identifier: str = ""


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
    roles: tuple[str, ...]  # () in 1.2 (the roles are in roles.csv); several when a producer repeats the user
    given_name: str
    family_name: str
    email: str | None
    identifier: str
    orgs: tuple[str, ...]
    agents: tuple[str, ...]
    grade: str | None  # the first of `grades`, as sent; None: keep what Homeroom has (it could not be read)
    line: int
    phone: str | None = None  # E.164; "" when the cell is empty; None when there is no such column (or no number)
    sms: str | None = None
    modified: datetime | None = None  # dateLastModified, for app/rules/sis_sync.py
    language: str | None = None  # ISO 639-1, from a producer's language column (app/rules/languages.py)


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
    language: str | None = None


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
        """Every sourcedId the file names: in bulk, a row not among them is absent (made inactive). A row that
        could not be read is an error, so no run goes ahead with one missing from here."""
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
        prop = cells[0].strip()
        head, dot, tail = prop.partition(".")
        if head.lower() in ("file", "oneroster", "manifest", "source"):
            prop = head.lower() + dot + (tail if head.lower() == "file" else tail.lower())
        properties[prop] = ((cells[1].strip() if len(cells) > 1 else ""), number)

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
        if not mode:
            # Producers leave the value empty for files they do not send (seen in the wild).
            if canonical is not None and folder.find(f"{canonical}.csv") is not None:
                report.warning(found.name, number, "value",
                               f"{prop} is empty, but {folder.find(f'{canonical}.csv').name} is there: it is read "
                               f"as delta (it changes only the rows it lists and makes nothing inactive)")
                modes[canonical] = "delta"
            else:
                report.warning(found.name, number, "value", f"{prop} is empty; read as absent (the file is not "
                                                            f"in the set)")
            continue
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
        self._moments: dict[str, datetime | None] = {}  # dateLastModified values repeat: read each once
        self._bad_moments: dict[str, str] = {}

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
            self.report.warning(self.file, row.line, column, "the date is not written as YYYY-MM-DD; it was read "
                                                             "as month/day/year, or as the day of a date-time")
        return value

    def modified(self, row) -> datetime | None:
        """dateLastModified as a moment (UTC when no zone is given); None when empty. It only informs (it decides
        between the SIS's value and a parent's confirmed change, app/rules/sis_sync.py), so a value that cannot
        be read, or names a day that does not exist, is ignored with a WARNING that says so, never refused."""
        text = row.get("dateLastModified")
        if not text:
            return None
        if text in self._moments:
            moment = self._moments[text]
        else:
            try:
                moment = read_moment(text)
            except BadDate as bad:
                moment = None
                self._bad_moments[text] = str(bad)
            self._moments[text] = moment
        if moment is None:
            self.report.warning(self.file, row.line, "dateLastModified",
                                f"'{text[:40]}' {self._bad_moments[text]}; it is ignored (it only tells which of "
                                f"the SIS's value and a parent's confirmed change is newer)")
        return moment

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

    def phone(self, row, column: str) -> str | None:
        """E.164, "" for an empty cell, None when the file has no such column or the number cannot be used."""
        if column not in row.cells:
            return None
        text = row.get(column)
        if not text:
            return ""
        check = check_phone(text)
        if check.e164 is None:
            self.report.warning(self.file, row.line, column, import_warning(check))
        return check.e164

    def language(self, row) -> str | None:
        """The producer's language column (see LANGUAGE_COLUMNS) as an ISO 639-1 code, or None."""
        text = row.get("language")
        if not text:
            return None
        code = sis_language_code(text)
        if code is None:
            self.report.warning(self.file, row.line, "language", f"'{text[:40]}' is not a language Homeroom "
                                                                 f"recognises; the language on file is kept")
        return code

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
    """Every file the manifest names, read and checked on its own. None if the manifest is unusable, or a file's
    header is (the report says why)."""
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
            report.warning(f"{name}.csv", None, "", f"the manifest says file.{name} is {modes[name]}, but there is "
                                                    f"no {name}.csv: read as absent, so nothing of it changes")
            continue
        roster.files[name] = _read_file(name, found, modes[name], version, report)
    if any(report.file_unreadable(file.name) for file in roster.files.values()):
        # Its rows are not known, so every reference to them from the other files would be reported as unknown:
        # untrue errors after the true one (a tester's find, a users.csv saved with semicolons).
        return None
    return roster


def _read_file(name: str, found: CsvFile, mode: str, version: str, report: ImportReport) -> RosterFile:
    result = RosterFile(found.name, mode)
    cells = _Cells(found.name, report)
    seen: dict[str, int] = {}  # sourcedId -> the line of its first row
    repeated: list = []  # later rows with a sourcedId seen before (rare): settled after the pass
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
            repeated.append(row)
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
        if name != "users":
            cells.modified(row)  # read only to say so when it is not a date-time that exists
        record = build(row, cells, version)
        if record is not None:
            result.rows.append(record)
    if repeated:
        # The first rows' cells, read again rather than kept for every row of a million-row file.
        first_lines = {seen[row.get("sourcedId")] for row in repeated}
        firsts = {row.line: row.cells for row in read_rows(found, COLUMNS[name], ImportReport())
                  if row.line in first_lines}
        for row in repeated:
            line = seen[row.get("sourcedId")]
            _repeated_row(name, found.name, row, (line, firsts.get(line, {})), result, cells, version)
    return result


# users.csv with one row per role (seen in the wild): these may differ, and are merged.
_DIFFERENCES_MERGED = {"role", "orgSourcedIds", "agentSourcedIds", "dateLastModified"}


def _repeated_row(name: str, file: str, row, first: tuple[int, dict[str, str]], result: RosterFile, cells: _Cells,
                  version: str) -> None:
    """A sourcedId seen before in the same file: the same row again is read once; a user repeated with
    another role (and its orgs) gets both roles; any other difference cannot be settled (which row is
    right?) and is an error."""
    first_line, first_cells = first
    differing = {column for column, value in row.cells.items() if first_cells.get(column, "") != value}
    report = cells.report
    if not differing:
        report.warning(file, row.line, "sourcedId", f"the same row appears again (first on line {first_line}); "
                                                    f"it is read once")
        return
    if name == "users" and differing <= _DIFFERENCES_MERGED:
        index = next((i for i, r in enumerate(result.rows) if r.source_id == row.get("sourcedId")), None)
        extra = _user(row, cells, version)
        if index is None or extra is None:
            return
        user = result.rows[index]
        roles = user.roles + tuple(r for r in extra.roles if r not in user.roles)
        orgs = user.orgs + tuple(o for o in extra.orgs if o not in user.orgs)
        agents = user.agents + tuple(a for a in extra.agents if a not in user.agents)
        result.rows[index] = user._replace(roles=roles, orgs=orgs, agents=agents)
        report.warning(file, row.line, "sourcedId", f"the user appears again (first on line {first_line}) with "
                                                    f"another role; both rows' roles, orgs and agents are kept")
        return
    report.error(file, row.line, "sourcedId",
                 f"'{row.get('sourcedId')}' appears again (first on line {first_line}) with other values in "
                 f"{', '.join(sorted(differing))}; each row needs its own sourcedId")


# ---------------------------------------------------------------------------------------------- row builders


def _org(row, cells: _Cells, version: str) -> Org:
    kind = cells.choice(row, "type", ORG_TYPES)
    return Org(row.get("sourcedId"), cells.text(row, "name", 255, required=True), kind, row.line,
               cells.text(row, "identifier", 255))


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
    roles: tuple[str, ...] = ()
    if row.get("role"):
        # One role is the standard; "parent,teacher" (a list in the cell) is read as both, with a warning.
        typed = split_list(row.get("role"))
        if len(typed) > 1:
            cells.report.warning(cells.file, row.line, "role", "holds several roles; each is read")
        found = [cells.choice(row.__class__(row.line, {"role": r}), "role", USER_ROLES) for r in typed]
        if not all(found):
            return None
        roles = tuple(dict.fromkeys(found))
    typed_email = row.get("email")
    email = None
    if typed_email:
        email = normalise_email(typed_email)
        if email is None:
            cells.report.warning(cells.file, row.line, "email", "is not an email address; it is left out")
    grades = split_list(row.get("grades"))
    grade: str | None = grades[0] if grades else ""
    if "grades" not in row.cells:  # a file without the column says nothing about grades: keep what is on file
        grade = None
    elif "#" in grade:  # an Ed-Fi descriptor URI ("uri://.../GradeLevelDescriptor#Second grade"): its code value
        grade = grade.rsplit("#", 1)[1].strip()
        if not grade:
            cells.report.warning(cells.file, row.line, "grades", "is a descriptor with no code value after '#'; "
                                                                 "the grade level Homeroom has is kept")
            grade = None
    if grade is not None and len(grade) > GRADE_LENGTH:
        cells.report.warning(cells.file, row.line, "grades", f"is {len(grade)} characters long, longer than a grade "
                                                             f"level can be ({GRADE_LENGTH}); the grade level "
                                                             f"Homeroom has is kept")
        grade = None
    orgs = split_list(row.get("orgSourcedIds"))
    if not orgs and row.get("primaryOrgSourcedId"):
        orgs = [row.get("primaryOrgSourcedId")]
    return User(row.get("sourcedId"), roles, cells.text(row, "givenName", 255), cells.text(row, "familyName", 255),
                email, cells.text(row, "identifier", 64), tuple(orgs), tuple(split_list(row.get("agentSourcedIds"))),
                grade, row.line, cells.phone(row, "phone"), cells.phone(row, "sms"),
                cells.modified(row), cells.language(row))


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
    return Demographic(row.get("sourcedId"), cells.date(row, "birthDate"), row.line, cells.language(row))


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


def path_help() -> str:
    """What `homeroom import oneroster PATH` reads, for its --help: from COLUMNS, the files and columns read."""
    import textwrap

    lines = [textwrap.fill(
        "PATH: a folder of OneRoster 1.1 or 1.2 CSV files, or a zip of them (at the zip's root or in one folder "
        "inside it). manifest.csv is required: it says the version and, per file, bulk, delta or absent. "
        "OneRoster's file names and headers are case-sensitive; other spellings are read with a WARNING. Files "
        "read, with their required columns (the others are read when present):", 100)]
    for name in IMPORTED_FILES:
        lines.append(textwrap.fill(", ".join(COLUMNS[name].required), 100, initial_indent=f"  {name}.csv: ",
                                   subsequent_indent="      ", break_on_hyphens=False))
    lines.append(textwrap.fill("Skipped with a NOTE: " + ", ".join(f"{n}.csv" for n in OTHER_ONEROSTER_FILES),
                               100, break_on_hyphens=False))
    return "\n".join(lines)
