"""`homeroom import restrictions FILE`: guardian–student links whose portal access the district switches off
(issue 11), for SISs without Ed-Fi `contactRestrictions`.

The file's columns, the values allowed and an example are FORMAT below (`homeroom import restrictions --help`
prints it). student-request is refused for a student under 18 on the first day (in the district's time zone)
or with no birth date on file. The dates count by themselves: a restriction whose day has not come is not in
force yet, one whose last day has passed no longer holds.

Each row sets the link's *imported* restriction (a second run with the same file changes nothing; changed
dates or reasons replace the earlier imported ones). A row never switches access back on, and nothing in a
file touches what staff switched off in the console. To lift an imported restriction use
`homeroom access unblock --source import`. All or nothing: any ERROR and nothing is changed.
"""

from __future__ import annotations

from pathlib import Path

from app import i18n
from app.database import transaction
from app.importers.csv_reading import ColumnsExpected, CsvRow, FileFormat, read_rows, single_file
from app.importers.dates import BadDate, read_iso_day
from app.importers.problems import ImportAborted, ImportReport
from app.importers.progress import Progress
from app.rules.access import FIRST_DAY, LAST_DAY, REASONS, REFERENCE_MAX, restriction_errors, student_request_errors
from app.services.access import access_day, block_access
from app.services.key_reach import office_lines
from app.tables import Person

COLUMNS = ColumnsExpected(
    known=("guardian", "student", "reason", "reference", "from", "until"),
    required=("guardian", "student", "reason"),
    aliases=(("guardianSourcedId", "guardian"), ("studentSourcedId", "student"), ("starts_on", "from"),
             ("ends_on", "until")))
FORMAT = FileFormat(COLUMNS, {
    "guardian": "the guardian's sourcedId (OneRoster's)",
    "student": "the student's sourcedId",
    "reason": f"one of {', '.join(REASONS)} (student-request only for a student 18 or older on the first day, "
              "with a birth date on file)",
    "reference": f"optional text, e.g. a court order's case number (at most {REFERENCE_MAX} characters)",
    "from": "optional first day, YYYY-MM-DD (empty: from now)",
    "until": "optional last day, YYYY-MM-DD, included (empty: until lifted)",
}, ("guardian,student,reason,reference,from,until", "gua-2001,stu-1001,court-order,2026-CV-0113,2026-03-01,",
    "gua-2002,stu-1001,custody-agreement,,,2026-06-30"), rows="one guardian and student per line")
_COLUMN_OF = {"reason": "reason", "reference": "reference", "starts_on": "from", "ends_on": "until"}


def _day(row: CsvRow, column: str, report: ImportReport, file: str) -> tuple[str, bool]:
    """The day in `column` as YYYY-MM-DD ("" when empty), and whether it could be read; the shared date
    message (app/importers/dates.py) when not."""
    text = row.get(column)
    if not text:
        return "", True
    try:
        day = read_iso_day(text, times=False)
    except BadDate as bad:
        report.error(file, row.line, column, f"'{text[:40]}' {bad}")
        return "", False
    if not FIRST_DAY <= day <= LAST_DAY:
        report.error(file, row.line, column, f"'{text[:40]}' is not a day from {FIRST_DAY.year} to {LAST_DAY.year}")
        return "", False
    return day.isoformat(), True


def _report(report: ImportReport, file: str, line: int, errors) -> None:
    with i18n.using_language("en"):
        for error in errors:
            report.error(file, line, _COLUMN_OF.get(error.field, error.field),
                         i18n.translate(error.message, error.params))


async def import_restrictions(path: Path, *, progress: Progress | None = None) -> ImportReport:
    """Every line is checked in full, and every problem reported where it is, before anything is written."""
    progress = progress or Progress()
    report = ImportReport()
    found = single_file(Path(path))
    people = {(r["source_id"], r["kind"]): r["birth_date"]
              for r in await Person.select(Person.source_id, Person.kind, Person.birth_date)}
    today = (await access_day()).today
    rows, seen = [], {}
    with progress.stage(f"checking {found.name}") as stage:
        for row in read_rows(found, COLUMNS, report):
            stage.advance(1)
            ok = True
            for column, kind in (("guardian", "guardian"), ("student", "student")):
                if not row.get(column):
                    report.error(found.name, row.line, column, "is empty")
                    ok = False
                elif (row.get(column), kind) not in people:
                    report.error(found.name, row.line, column, f"no {kind} has this sourcedId")
                    ok = False
            (starts, starts_read), (ends, ends_read) = (_day(row, c, report, found.name) for c in ("from", "until"))
            typed, errors = restriction_errors(row.get("reason"), row.get("reference"), starts, ends)
            _report(report, found.name, row.line, errors)
            ok = ok and starts_read and ends_read and not errors
            student = (row.get("student"), "student")
            if typed is not None and student in people:  # the reason checked against the student's age
                refused = student_request_errors(typed.reason, people[student], typed.starts_on or today)
                _report(report, found.name, row.line, refused)
                ok = ok and not refused
            pair = (row.get("guardian"), row.get("student"))
            if ok and pair in seen:
                report.error(found.name, row.line, "student",
                             f"this guardian and student are already on line {seen[pair]}")
                ok = False
            if ok:
                seen[pair] = row.line
                rows.append(row)
    if report.has_errors:
        return report
    written, revoked = 0, []
    try:
        async with transaction():
            with progress.stage("writing restrictions", len(rows)) as stage:
                for row in rows:
                    change = await block_access(row.get("guardian"), row.get("student"), row.get("reason"),
                                                row.get("reference"), row.get("from"), row.get("until"),
                                                source="import")
                    if change.errors:  # a person removed, or a birth date changed, since the check above
                        _report(report, found.name, row.line, change.errors)
                        raise ImportAborted
                    written += change.done in ("blocked", "changed")
                    revoked += change.revoked
                    stage.advance(1)
    except ImportAborted:
        return report
    report.counts["access restrictions"] = written
    for line in office_lines(revoked):  # keys and reset links the blocked guardians could have picked up
        report.note(line)
    return report
