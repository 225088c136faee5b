"""`homeroom import calendar FILE`: the days that are not school days (holidays, breaks, snow days), for
districts without Ed-Fi `calendarDates` (issue 12). The weekly digest's share of school days, the
chronic-absence figure, report-an-absence and the SIS export count school days with them
(app/rules/school_days.py).

The file's columns, the kinds of day and an example are FORMAT below (`homeroom import calendar --help` prints
it). A range of days is one line per day (spreadsheets fill a column of dates quickly); a school-day line takes
back a closure of the same day and school from an earlier file, and a kind Homeroom does not know is a WARNING
and the day is read as closed.

Re-importing the same file changes nothing; a later file updates the days it lists and leaves the others
(a snow day can be sent on its own). All or nothing: any ERROR and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from app.database import transaction
from app.importers.csv_reading import BadValue, ColumnsExpected, FileFormat, parse_date, read_rows, single_file
from app.importers.problems import ImportAborted, ImportReport
from app.importers.progress import Progress
from app.importers.table_writes import TableWriter
from app.rules.school_days import KINDS, kind_is_guessed, kind_of, other_kind_words

COLUMNS = ColumnsExpected(
    known=("date", "school", "kind", "description"),
    required=("date",),
    aliases=(("day", "date"), ("schoolSourcedId", "school"), ("schoolId", "school"), ("type", "kind"),
             ("calendarEvent", "kind"), ("name", "description"), ("event", "description")),
)
LONGEST = 255
CLOSED_KINDS = tuple(kind for kind, (attend, _) in KINDS.items() if not attend)
OPEN_KINDS = tuple(kind for kind, (attend, _) in KINDS.items() if attend)
FORMAT = FileFormat(COLUMNS, {
    "date": "the day: YYYY-MM-DD, or as spreadsheets write it (8/25/2026, 2026-08-25 0:00)",
    "school": "a school's sourcedId (`homeroom schools list`); empty for the whole district",
    "kind": f"not a school day: {', '.join(CLOSED_KINDS)} (empty: closed); a school day: {', '.join(OPEN_KINDS)} "
            f"(a Saturday make-up counts). Case, spaces and dashes do not matter, and these are read too: "
            f"{', '.join(other_kind_words())}",
    "description": f"free text shown to parents (at most {LONGEST} characters), e.g. Labor Day",
}, ("date,school,kind,description", "2026-09-07,,holiday,Labor Day", "11/25/2026,,break,Thanksgiving break",
    "2027-01-15,sch-oak,snow day,Oak Ridge closed (no heat)",
    "2027-02-06,,make-up day,Make-up for the January snow day"), rows="one day per line")


def calendar_source_id(school_source_id: str | None, day) -> str:
    return f"csv:{school_source_id or '*'}:{day.isoformat()}"


async def import_calendar(path: Path, *, progress: Progress | None = None) -> ImportReport:
    progress = progress or Progress()
    report = ImportReport()
    found = single_file(Path(path))
    name = found.name
    try:
        async with transaction():
            writer = TableWriter()
            schools = await writer.key_map("school")
            rows: dict[str, tuple] = {}
            with progress.stage(f"importing {name}") as stage:
                for row in read_rows(found, COLUMNS, report):
                    stage.advance(1)
                    ok = True
                    try:
                        day, _ = parse_date(row.get("date"))
                    except BadValue as problem:
                        report.error(name, row.line, "date", f"'{row.get('date')[:40]}' {problem}" if row.get("date")
                                     else "is empty")
                        ok, day = False, None
                    school_sid = row.get("school")
                    school = None
                    if school_sid:
                        school = schools.get(school_sid)
                        if school is None:
                            report.error(name, row.line, "school", f"'{school_sid[:60]}' is not a school in Homeroom "
                                                                   f"(`homeroom schools list` shows their sourcedIds); "
                                                                   f"leave it empty for the whole district")
                            ok = False
                    typed = row.get("kind")
                    kind = kind_of(typed) if typed else "closed"
                    unknown = kind is None
                    if typed and kind_is_guessed(typed):  # say so: a guess could be wrong either way
                        report.warning(name, row.line, "kind", f"'{typed[:40]}' is read as {kind} "
                                                               f"({'a school day' if KINDS[kind][0] else 'closed'})")
                    if unknown:
                        report.warning(name, row.line, "kind", f"'{typed[:40]}' is not a kind Homeroom knows "
                                                               f"({', '.join(KINDS)}): read as closed")
                        kind = "closed"
                    description = row.get("description")
                    if len(description) > LONGEST or any(ord(c) < 32 for c in description):
                        report.error(name, row.line, "description",
                                     f"must be at most {LONGEST} characters on one line")
                        ok = False
                    if not ok:
                        continue
                    source_id = calendar_source_id(school_sid, day)
                    if source_id in rows:
                        report.warning(name, row.line, "date", f"{day.isoformat()} is on an earlier line too"
                                                               f"{' for this school' if school_sid else ''}; "
                                                               f"this line wins")
                    rows[source_id] = (source_id, school, day, KINDS[kind][0], kind, description or (typed[:LONGEST] if unknown else ""))
            if report.has_errors:
                raise ImportAborted
            report.counts["calendar days"] = await writer.upsert(
                "calendar_date", ("source_id", "school", "day", "school_day", "kind", "description"),
                list(rows.values()), touched="updated_at")
    except ImportAborted:
        return report
    return report
