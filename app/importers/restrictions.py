"""`homeroom import restrictions FILE`: guardian–student links whose portal access the district switches off
(issue 11), for SISs without Ed-Fi `contactRestrictions`.

The file (UTF-8, a header line; the column names are matched as in the other imports)::

    guardian,student,reason,reference,from,until
    gua-2001,stu-1001,court-order,2026-CV-0113,2026-03-01,
    gua-2002,stu-1001,custody-agreement,,,2026-06-30

- guardian, student: sourcedIds (OneRoster's), both required.
- reason: court-order | custody-agreement | student-request | other. student-request is refused for a student
  under 18 on the first day (in the district's time zone) or with no birth date on file.
- reference: optional text (a case number); from, until: optional days YYYY-MM-DD, both included
  (empty from: now; empty until: until lifted). The dates count by themselves: a restriction whose day has
  not come is not in force yet, one whose last day has passed no longer holds.

Each row sets the link's *imported* restriction (a second run with the same file changes nothing; changed
dates or reasons replace the earlier imported ones). A row never switches access back on, and nothing in a
file touches what staff switched off in the console. To lift an imported restriction use
`homeroom access unblock --source import`. All or nothing: any ERROR and nothing is changed.
"""

from __future__ import annotations

from pathlib import Path

from app import i18n
from app.database import transaction
from app.importers.csv_reading import ColumnsExpected, read_rows, single_file
from app.importers.problems import ImportAborted, ImportReport
from app.importers.progress import Progress
from app.rules.access import restriction_errors
from app.services.access import block_access
from app.services.key_reach import office_lines
from app.tables import Person

COLUMNS = ColumnsExpected(
    known=("guardian", "student", "reason", "reference", "from", "until"),
    required=("guardian", "student", "reason"),
    aliases=(("guardianSourcedId", "guardian"), ("studentSourcedId", "student"), ("starts_on", "from"),
             ("ends_on", "until")))
_COLUMN_OF = {"reason": "reason", "reference": "reference", "starts_on": "from", "ends_on": "until"}


async def import_restrictions(path: Path, *, progress: Progress | None = None) -> ImportReport:
    progress = progress or Progress()
    report = ImportReport()
    found = single_file(Path(path))
    people = {(r["source_id"], r["kind"]) for r in await Person.select(Person.source_id, Person.kind)}
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
            _, errors = restriction_errors(row.get("reason"), row.get("reference"), row.get("from"),
                                           row.get("until"))
            for error in errors:
                with i18n.using_language("en"):
                    report.error(found.name, row.line, _COLUMN_OF.get(error.field, error.field),
                                 i18n.translate(error.message, error.params))
                ok = False
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
                    if change.errors:  # a student under 18 with "student-request", or a person removed meanwhile
                        for error in change.errors:
                            with i18n.using_language("en"):
                                report.error(found.name, row.line, _COLUMN_OF.get(error.field, error.field),
                                             i18n.translate(error.message, error.params))
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
