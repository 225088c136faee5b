"""`homeroom import attendance FILE`: attendance events, in a CSV shaped after Ed-Fi's
StudentSchoolAttendanceEvent / StudentSectionAttendanceEvent (OneRoster has no attendance file).

The file's columns, the values allowed and an example are FORMAT below (`homeroom import attendance --help`
prints it). Ed-Fi column names are accepted as well (COLUMNS.aliases), and so is any name written with spaces,
dashes or underscores ("Event Date", "school_id"): csv_reading.match_header.

Idempotent: each event's id is derived from who, where, when and what kind of event it is (student,
school, date, section, period, and the slot: attendance for present/absent, tardy, early departure). So
running the same file twice changes nothing, and a later file that turns an unexcused absence into an
excused one updates the same event, while a tardy and an early departure on one day are two events.
Events absent from a file are left alone (attendance files are usually a day or a week at a time). When
the same event appears twice in one file, the later line wins.

Events that are probably wrong (a class the student is not in, a day that was no school day for them, two lines
for one student, day and period with different categories) are imported with a WARNING each
(app/importers/attendance_doubts.py).

All or nothing: the file is checked in full first; any ERROR and nothing is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from app.database import transaction
from app.importers.attendance_doubts import Doubts
from app.importers.csv_reading import ColumnsExpected, FileFormat, count_lines, read_records, single_file
from app.importers.dates import BadDate, read_roster_day
from app.importers.problems import ImportAborted, ImportReport
from app.importers.progress import Progress
from app.importers.table_writes import TableWriter

COLUMNS = ColumnsExpected(
    known=("eventSourcedId", "studentSourcedId", "studentNumber", "schoolSourcedId", "date", "sectionSourcedId",
           "period", "category", "reason"),
    required=("schoolSourcedId", "date", "category"),
    aliases=(("studentUniqueId", "studentNumber"), ("schoolId", "schoolSourcedId"), ("eventDate", "date"), ("attendanceDate", "date"),
             ("attendanceEventCategoryDescriptor", "category"), ("attendanceEventReason", "reason"),
             ("classSourcedId", "sectionSourcedId")),
)

CATEGORIES = {
    "present": "present", "in attendance": "present", "in-attendance": "present",
    "tardy": "tardy", "late": "tardy",
    "excused absence": "excused-absence", "excused-absence": "excused-absence", "excused": "excused-absence",
    "unexcused absence": "unexcused-absence", "unexcused-absence": "unexcused-absence",
    "unexcused": "unexcused-absence",
    "early departure": "early-departure", "early-departure": "early-departure",
}
# What the category column may say, for messages and --help: Homeroom's own words, then the others read too.
CATEGORY_NAMES = tuple(dict.fromkeys(CATEGORIES.values()))
OTHER_CATEGORY_WORDS = tuple(word for word in CATEGORIES if word not in CATEGORY_NAMES)
FORMAT = FileFormat(COLUMNS, {
    "eventSourcedId": "optional: the SIS's own id for the event, used as is (at most 255 characters); when "
                      "empty, an id is made from who, where, when and the kind of event",
    "studentSourcedId": "the student's sourcedId; this or studentNumber says who (when both are given they "
                        "must agree)",
    "studentNumber": "the student's number in the SIS, instead of (or with) studentSourcedId",
    "schoolSourcedId": "the school's sourcedId",
    "date": "the day, YYYY-MM-DD (or as a spreadsheet writes it in the US: 12/1/2026, 12/1/2026 0:00)",
    "sectionSourcedId": "for a class-period event, the class's sourcedId; empty for a daily event",
    "period": "for a class-period event, the period (at most 16 characters); empty for a daily event",
    "category": f"one of {', '.join(CATEGORY_NAMES)}; in any case, {', '.join(OTHER_CATEGORY_WORDS)} are read "
                "too, and so is an Ed-Fi descriptor URI (.../AttendanceEventCategoryDescriptor#Tardy)",
    "reason": "optional free text (at most 255 characters), e.g. Doctor appointment",
}, ("studentSourcedId,studentNumber,schoolSourcedId,date,sectionSourcedId,period,category,reason",
    "stu-1001,,sch-1,2025-09-03,,,Excused Absence,Doctor appointment", ",100123,sch-1,2025-09-03,cls-alg1-p2,2,tardy,"),
    rows="one event per line")
SLOTS = {"present": "day", "excused-absence": "day", "unexcused-absence": "day", "tardy": "tardy",
         "early-departure": "early-departure"}


def category_of(text: str) -> str | None:
    """Homeroom's category for a file's category (its own words or Ed-Fi's descriptor), or None."""
    name = text.rsplit("#", 1)[-1].strip().lower().replace("_", " ")
    return CATEGORIES.get(name)


def event_source_id(student: str, school: str, day: date, section: str, period: str, category: str) -> str:
    """A stable id for an event: the same student, school, day, section, period and slot give the same id."""
    when = day.isoformat()
    key = "\x1f".join((student, school, when, section, period, SLOTS[category]))
    # The date first: a day's events sit together in the unique index, so writing a large file (sorted by
    # day, as SIS exports are) touches a few index pages at a time instead of the whole index.
    return f"attendance-{when}-" + hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


class Directory:
    """The ids an attendance file refers to, read from the database."""

    def __init__(self, people: dict[str, int], numbers: dict[str, tuple[int, str]], schools: dict[str, int],
                 sections: dict[str, int]) -> None:
        self.people, self.numbers, self.schools, self.sections = people, numbers, schools, sections

    @classmethod
    async def load(cls, writer: TableWriter) -> Directory:
        people: dict[str, int] = {}
        numbers: dict[str, tuple[int, str]] = {}
        for source_id, person_id, number in await writer.fetch("SELECT source_id, id, student_number FROM person"):
            people[source_id] = person_id
            if number:
                numbers[number] = (person_id, source_id)
        return cls(people, numbers, await writer.key_map("school"), await writer.key_map("section"))


def attendance_events(name: str, positions: dict[str, int], records: Iterator[tuple[int, list[str]]],
                      directory: Directory, doubts: Doubts, report: ImportReport) -> Iterator[tuple]:
    """Checked events as rows for attendance_event (without updated_at) from the file's records
    (csv_reading.read_records); problems go to the report. The hot loop of a 10-million-line file: cells are
    read by position."""
    people, numbers, schools, sections = directory.people, directory.numbers, directory.schools, directory.sections
    if "studentSourcedId" not in positions and "studentNumber" not in positions:
        report.error(name, 1, "studentSourcedId", "the header needs studentSourcedId or studentNumber")
        return
    none = -1  # a column the file does not have reads the "" appended to every line
    at = {column: positions.get(column, none) for column in COLUMNS.known}
    i_student, i_number, i_school, i_date = at["studentSourcedId"], at["studentNumber"], at["schoolSourcedId"], \
        at["date"]
    i_section, i_period, i_category, i_reason, i_event = at["sectionSourcedId"], at["period"], at["category"], \
        at["reason"], at["eventSourcedId"]
    categories: dict[str, str | None] = {}
    days: dict[str, date | None] = {}
    bad_days: dict[str, str] = {}
    for line, cells in records:
        cells.append("")  # position -1
        ok = True
        student_sid = cells[i_student].strip()
        number = cells[i_number].strip()
        student_id = None
        if student_sid:
            student_id = people.get(student_sid)
            if student_id is None:
                report.error(name, line, "studentSourcedId", f"'{student_sid}' is not a student in Homeroom")
                ok = False
        if number:
            by_number = numbers.get(number)
            if by_number is None:
                report.error(name, line, "studentNumber", f"'{number}' is not a student number in Homeroom")
                ok = False
            elif student_id is not None and by_number[0] != student_id:
                report.error(name, line, "studentNumber", f"'{number}' belongs to another student than "
                                                          f"studentSourcedId '{student_sid}'")
                ok = False
            else:
                student_id, student_sid = by_number
        elif not student_sid:
            report.error(name, line, "studentSourcedId", "is empty, and so is studentNumber: who is this about?")
            ok = False
        school_sid = cells[i_school].strip()
        school_id = schools.get(school_sid)
        if school_id is None:
            report.error(name, line, "schoolSourcedId",
                         f"'{school_sid}' is not a school in Homeroom" if school_sid else "is empty")
            ok = False
        text = cells[i_date].strip()
        day = days.get(text, False)
        if day is False:
            try:
                day = days[text] = read_roster_day(text)[0]  # as OneRoster and the calendar read it
            except BadDate as bad:
                day = days[text] = None
                bad_days[text] = str(bad)
        if day is None:
            report.error(name, line, "date", f"'{text[:40]}' {bad_days[text]}" if text else "is empty")
            ok = False
        section_sid = cells[i_section].strip()
        section_id = None
        if section_sid:
            section_id = sections.get(section_sid)
            if section_id is None:
                report.error(name, line, "sectionSourcedId", f"'{section_sid}' is not a class in Homeroom")
                ok = False
        period = cells[i_period].strip()
        if len(period) > 16:
            report.error(name, line, "period", "is longer than 16 characters")
            ok = False
        typed = cells[i_category]
        category = categories.get(typed, False)
        if category is False:
            category = categories[typed] = category_of(typed)
        if category is None:
            report.error(name, line, "category",
                         f"'{typed.strip()[:40]}' is not one of: {', '.join(CATEGORY_NAMES)} (or "
                         f"{', '.join(OTHER_CATEGORY_WORDS)})")
            ok = False
        reason = cells[i_reason].strip()
        if len(reason) > 255:
            report.error(name, line, "reason", "is longer than 255 characters")
            ok = False
        given_id = cells[i_event].strip()
        if len(given_id) > 255:
            report.error(name, line, "eventSourcedId", "is longer than 255 characters")
            ok = False
        if ok:
            source_id = given_id or event_source_id(student_sid, school_sid, day, section_sid, period, category)
            doubts.check(line, student_id, day, text, section_id, section_sid, period, category, source_id)
            yield (source_id, student_id, school_id, day, section_id, period, category, reason)
    doubts.finish()


async def import_attendance(path: Path, *, progress: Progress | None = None) -> ImportReport:
    """One pass inside one transaction: events are checked and written in batches as the file is read. After
    the first ERROR nothing more is written, the rest of the file is still checked (every problem is
    reported), and the transaction is rolled back: nothing changes."""
    progress = progress or Progress()
    report = ImportReport()
    found = single_file(Path(path))
    total = count_lines(found)

    def while_no_errors(events: Iterator[tuple]) -> Iterator[tuple]:
        for event in events:
            if not report.has_errors:
                yield event

    positions, records = read_records(found, COLUMNS, report)
    if positions is None:
        return report
    try:
        async with transaction():
            writer = TableWriter()
            directory = await Directory.load(writer)
            doubts = await Doubts.load(writer, report, found.name, SLOTS, classes="sectionSourcedId" in positions)
            events = attendance_events(found.name, positions, records, directory, doubts, report)
            with progress.stage(f"importing {found.name}", total) as stage:
                written = await writer.upsert(
                    "attendance_event",
                    ("source_id", "student", "school", "event_date", "section", "period", "category", "reason"),
                    while_no_errors(events), touched="updated_at", stage=stage)
            if report.has_errors:
                raise ImportAborted
            report.counts["attendance events"] = written
    except ImportAborted:
        return report
    # Committed: today's unexcused absences become alerts (issue 12; the same call follows every importer
    # that writes attendance, and a re-import adds nothing).
    from app.services.absence_alerts import after_attendance_import

    await after_attendance_import()
    return report
