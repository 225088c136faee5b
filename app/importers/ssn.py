"""`homeroom import ssn FILE`: students' SSNs turned into keyed hashes at once (docs/design.md §4.7).

The file's columns and an example are FORMAT below (`homeroom import ssn --help` prints it). An empty ssn leaves
that student as they were (not every student has an SSN, and none is required).

Only HMAC-SHA-256(pepper, 9 digits) and HMAC-SHA-256(pepper, last 4) are stored (Person.ssn_hash,
ssn_last4_hash). The SSN itself is never written anywhere: not to the database, not to a log, not in a
message. A bad value is reported as "line N, column ssn: is not 9 digits" without repeating it, and a
header that looks like data (a file without its header line) is described by position, never echoed.
All or nothing: any ERROR and no student is changed.
"""

from __future__ import annotations

from pathlib import Path

from app.database import transaction
from app.importers.csv_reading import ColumnsExpected, FileFormat, read_rows, single_file
from app.importers.problems import ImportAborted, ImportReport
from app.importers.progress import Progress
from app.importers.table_writes import TableWriter
from app.rules.ssn import normalise_ssn, ssn_digest
from app.settings import get_settings

COLUMNS = ColumnsExpected(known=("studentSourcedId", "studentNumber", "ssn"), required=("ssn",),
                          aliases=(("studentUniqueId", "studentNumber"), ("socialSecurityNumber", "ssn")))
FORMAT = FileFormat(COLUMNS, {
    "studentSourcedId": "the student's sourcedId; this or studentNumber says who (when both are given they must "
                        "agree)",
    "studentNumber": "the student's number in the SIS, instead of (or with) studentSourcedId",
    "ssn": "nine digits, with or without dashes or spaces; empty: the student is left as they were",
}, ("studentSourcedId,studentNumber,ssn", "stu-1001,,123-45-6789", ",100123,123456789"), rows="one student per line")


async def import_ssn(path: Path, *, progress: Progress | None = None) -> ImportReport:
    progress = progress or Progress()
    report = ImportReport()
    found = single_file(Path(path))
    pepper = get_settings().ssn_pepper
    try:
        async with transaction():
            writer = TableWriter()
            people: dict[str, tuple[int, str]] = {}
            numbers: dict[str, int] = {}
            for source_id, person_id, kind, number in await writer.fetch(
                    "SELECT source_id, id, kind, student_number FROM person"):
                people[source_id] = (person_id, kind)
                if number:
                    numbers[number] = person_id
            digests: dict[int, tuple[str, str, int]] = {}  # person id -> (hash, last-4 hash, line)
            with progress.stage(f"checking {found.name}") as stage:
                for row in read_rows(found, COLUMNS, report):
                    stage.advance(1)
                    person_id = _student(row, people, numbers, report, found.name)
                    typed = row.get("ssn")
                    if not typed:
                        report.warning(found.name, row.line, "ssn", "is empty; this student is left as they were")
                        continue
                    digits = normalise_ssn(typed)
                    del typed
                    if digits is None:
                        report.error(found.name, row.line, "ssn", "is not 9 digits")
                        continue
                    if person_id is None:
                        continue
                    if person_id in digests:
                        report.error(found.name, row.line, "studentSourcedId",
                                     f"this student already has an SSN on line {digests[person_id][2]}")
                        continue
                    digests[person_id] = (ssn_digest(pepper, digits), ssn_digest(pepper, digits[-4:]), row.line)
                    del digits
            if report.has_errors:
                raise ImportAborted
            stored = {pid: (full, last4) for pid, full, last4 in await writer.fetch(
                "SELECT id, ssn_hash, ssn_last4_hash FROM person WHERE ssn_hash IS NOT NULL")}
            changes = [(full, last4, pid) for pid, (full, last4, _) in digests.items()
                       if stored.get(pid) != (full, last4)]
            with progress.stage("writing SSN hashes", len(changes)) as stage:
                await writer.execute_many("UPDATE person SET ssn_hash = ?, ssn_last4_hash = ? WHERE id = ?",
                                          changes, stage)
            report.counts["students' SSN hashes"] = len(changes)
    except ImportAborted:
        pass
    return report


def _student(row, people, numbers, report: ImportReport, name: str) -> int | None:
    source_id, number = row.get("studentSourcedId"), row.get("studentNumber")
    person_id = None
    if source_id:
        found = people.get(source_id)
        if found is None:
            report.error(name, row.line, "studentSourcedId", f"'{source_id}' is not a student in Homeroom")
            return None
        if found[1] != "student":
            report.error(name, row.line, "studentSourcedId", f"'{source_id}' is a {found[1]}, not a student")
            return None
        person_id = found[0]
    if number:
        by_number = numbers.get(number)
        if by_number is None:
            report.error(name, row.line, "studentNumber", f"'{number}' is not a student number in Homeroom")
            return None
        if person_id is not None and by_number != person_id:
            report.error(name, row.line, "studentNumber", "belongs to another student than the studentSourcedId")
            return None
        person_id = by_number
    if not source_id and not number:
        report.error(name, row.line, "studentSourcedId", "is empty, and so is studentNumber: who is this about?")
    return person_id
