"""`homeroom import oneroster PATH`: a OneRoster 1.1 or 1.2 CSV set (a zip or a folder) into Homeroom.

All or nothing: the files are read and checked first (oneroster_files.py, no database), then, inside one
transaction, checked against what Homeroom holds (oneroster_plan.py) and written in batches
(table_writes.py). Any ERROR and the transaction is rolled back: nothing changes. Rows are upserted by
sourcedId, so running the same files again changes nothing. The choices the specification leaves open
are written down in oneroster_files.py and oneroster_plan.py.
"""

from __future__ import annotations

from pathlib import Path

from app.database import transaction
from app.importers.csv_reading import CsvFolder
from app.importers.oneroster_files import read_roster
from app.importers.oneroster_plan import (
    CourseRow,
    EnrollmentRow,
    Known,
    KnownPerson,
    LineItemRow,
    PersonRow,
    ResultRow,
    RosterPlan,
    SchoolRow,
    SectionRow,
    SessionRow,
    plan_roster,
)
from app.importers.problems import ImportAborted, ImportReport
from app.importers.progress import Progress
from app.importers.sis_phones import write_sis_phones
from app.importers.table_writes import TableWriter, new_public_id
from app.rules.mass_removal import Removal, refusal, too_many
from app.rules.names import person_name_key
from app.services.access import remember_restricted_addresses
from app.services.sis_sync import PortalChanges


async def import_oneroster(path: Path, *, progress: Progress | None = None, dry_run: bool = False,
                           allow_mass_removal: bool = False) -> ImportReport:
    """Raises UnreadableSource when the path is not a folder or zip (a usage error).

    dry_run: everything is worked out and written inside the transaction, counted, then rolled back.
    allow_mass_removal: go ahead even when the run would remove more than app/rules/mass_removal.py allows
    (without it such a run is refused, changing nothing; a dry run only notes it)."""
    progress = progress or Progress()
    progress.dry_run = dry_run
    report = ImportReport()
    report.dry_run = dry_run
    folder = CsvFolder(Path(path))
    with progress.stage("reading the OneRoster files") as stage:
        roster = read_roster(folder, report)
        if roster is not None:
            stage.advance(sum(len(f.rows) + len(f.deleted) for f in roster.files.values()))
    if roster is None:
        return report
    try:
        async with transaction():
            writer = TableWriter()
            # Issue 11: the addresses of guardians whose access to a child is off stay theirs for the
            # shared-mailbox rule when this run replaces them (app/services/mail_access.py).
            await remember_restricted_addresses(None, "import")
            known = await _load_known(writer)
            plan = plan_roster(roster, known, report)
            if report.has_errors:
                raise ImportAborted
            links_before = (await writer.fetch(  # the guard counts OneRoster's own links only
                "SELECT COUNT(*) FROM guardian_link WHERE source = 'oneroster'"))[0][0]
            await _write(writer, plan, report, progress, known)
            removals = _removals(plan, known, links_before, report)
            if too_many(removals):
                if dry_run:
                    report.note("a real run would be refused: " + refusal("this import", removals))
                elif not allow_mass_removal:
                    report.error("", None, "", refusal("this import", removals))
                    raise ImportAborted
            settled = await known.portal_changes.settle()
            if settled:
                report.counts["portal changes the SIS has now loaded"] = settled
            if dry_run:
                raise ImportAborted
    except ImportAborted:
        pass
    return report


def _removals(plan: RosterPlan, known: Known, links_before: int, report: ImportReport) -> list[Removal]:
    """What the run removes, of the kinds app/rules/mass_removal.py guards, against what was active before.
    People and links another source (Ed-Fi) brought are not counted: a OneRoster run never removes them."""
    inactive_people = plan.inactive.get("person", set())
    found = []
    for kind, noun in (("student", "students"), ("guardian", "guardians")):
        active = {sid for sid, p in known.persons.items()
                  if p.kind == kind and p.status != "inactive" and p.source == "oneroster"}
        found.append(Removal(noun, len(active & inactive_people), len(active)))
    for table, noun, statuses in (("section", "classes", known.sections),
                                  ("section_enrollment", "class enrollments", known.enrollments)):
        active = sum(1 for status in statuses.values() if status != "inactive")
        found.append(Removal(noun, len(plan.inactive.get(table, set())), active))
    found.append(Removal("guardian links", report.counts.get("guardian links removed", 0), links_before))
    return found


async def _status_map(writer: TableWriter, table: str) -> dict[str, str]:
    return dict(await writer.fetch(f'SELECT source_id, status FROM "{table}"'))


async def _load_known(writer: TableWriter) -> Known:
    persons = {sid: KnownPerson(kind, status, number, source) for sid, kind, status, number, source in
               await writer.fetch("SELECT source_id, kind, status, student_number, source FROM person")}
    sessions = await writer.fetch("SELECT source_id, status, source FROM academic_session")
    return Known(
        schools=await _status_map(writer, "school"),
        sessions={sid: status for sid, status, _ in sessions},
        other_sessions={sid for sid, _, source in sessions if source != "oneroster"},
        courses=await _status_map(writer, "course"),
        sections=await _status_map(writer, "section"),
        persons=persons,
        enrollments=await _status_map(writer, "section_enrollment"),
        line_items=await _status_map(writer, "line_item"),
        results=await _status_map(writer, "result"),
        portal_changes=await PortalChanges.load(),
    )


async def _write(writer: TableWriter, plan: RosterPlan, report: ImportReport, progress: Progress,
                 known: Known) -> None:
    counts = report.counts
    before = {"school": known.schools, "academic_session": known.sessions, "course": known.courses,
              "section": known.sections, "person": known.persons, "section_enrollment": known.enrollments,
              "line_item": known.line_items, "result": known.results}

    async def upsert(label: str, table: str, columns, rows, *, stage_label: str = "", **options) -> None:
        with progress.stage(f"writing {stage_label or label}", len(rows)) as stage:
            counts[label] = counts.get(label, 0) + await writer.upsert(table, columns, rows, stage=stage, **options)
        existing = before[table]
        report.added[label] = report.added.get(label, 0) + len({row[0] for row in rows if row[0] not in existing})

    await upsert("schools", "school", (*SchoolRow._fields, "status"), [(*row, "active") for row in plan.schools])
    schools = await writer.key_map("school")

    levels = len(plan.session_levels)
    for number, level in enumerate(plan.session_levels, start=1):
        # Parents before their terms (a school year, its semesters, their grading periods), each level a stage of
        # its own: the progress lines say which (an IT lead read "writing academic sessions" twice as a repeat).
        sessions = await writer.key_map("academic_session")
        await upsert("academic sessions", "academic_session", (*SessionRow._fields, "status", "source"),
                     [(*row._replace(parent=sessions.get(row.parent) if row.parent else None), "active",
                       "oneroster") for row in level],  # listed: OneRoster's
                     stage_label=f"academic sessions, level {number} of {levels}" if levels > 1 else "")
    sessions = await writer.key_map("academic_session")

    await upsert("courses", "course", (*CourseRow._fields, "status"),
                 [(*row._replace(school=schools.get(row.school) if row.school else None), "active")
                  for row in plan.courses])
    courses = await writer.key_map("course")

    if plan.release_numbers:
        people = await writer.key_map("person")
        await writer.update_ids("person", "student_number = NULL", [people[s] for s in plan.release_numbers])
    await upsert("people", "person", (*PersonRow._fields, "name_key", "public_id", "status", "source"),
                 [(*row, person_name_key(row.given_name, row.family_name), new_public_id(), "active", "oneroster")
                  for row in plan.persons],  # listed: OneRoster's
                 insert_only=("public_id",), keep_when_empty=("email", "student_number", "language", "identifier"))
    people = await writer.key_map("person")

    await upsert("classes", "section", (*SectionRow._fields, "public_id", "status"),
                 [(*row._replace(course=courses.get(row.course) if row.course else None, school=schools[row.school]),
                   str(new_public_id()), "active") for row in plan.sections],
                 insert_only=("public_id",))
    sections = await writer.key_map("section")

    await _write_section_terms(writer, plan, sections, sessions, counts)

    await upsert("class enrollments", "section_enrollment", (*EnrollmentRow._fields, "status"),
                 [(row.source_id, sections[row.section], people[row.person], row.role, row.is_primary,
                   row.begin_date, row.end_date, "active") for row in plan.enrollments])  # a million rows: no _replace

    inactive_people = {people[s] for s in plan.inactive.get("person", set()) if s in people}
    await _write_school_enrollments(writer, plan, people, schools, inactive_people, counts, progress)
    await _write_guardian_links(writer, plan, people, inactive_people, counts, progress)
    await _write_birth_dates(writer, plan, people, counts)
    await _write_phones(writer, plan, people, counts)

    line_items_before = await writer.key_map("line_item") if plan.results else {}
    await upsert("assignments", "line_item", (*LineItemRow._fields, "status"),
                 [(*row._replace(section=sections[row.section],
                                 grading_period=sessions.get(row.grading_period) if row.grading_period else None),
                   "active") for row in plan.line_items],
                 keep_when_empty=("category",))
    line_items = await writer.key_map("line_item") if plan.results else line_items_before
    await upsert("scores", "result", (*ResultRow._fields, "status"),
                 [(row.source_id, line_items[row.line_item], people[row.student], *row[3:], "active")
                  for row in plan.results],
                 touched="updated_at")

    for table, label in (("school", "schools"), ("academic_session", "academic sessions"), ("course", "courses"),
                         ("section", "classes"), ("person", "people"), ("section_enrollment", "class enrollments"),
                         ("line_item", "assignments"), ("result", "scores")):
        ids = plan.inactive.get(table, set())
        if not ids:
            continue
        keys = await writer.key_map(table)
        targets = [keys[s] for s in ids if s in keys]  # the plan holds only rows now active
        await writer.update_ids(table, "status = 'inactive'", targets, where="status <> 'inactive'")
        counts[f"{label} made inactive"] = len(targets)


async def _write_section_terms(writer, plan, sections, sessions, counts) -> None:
    if not plan.section_terms:
        return
    existing: dict[tuple[int, int], int] = {}
    for row_id, section, term in await writer.fetch("SELECT id, section, term FROM section_term"):
        existing[(section, term)] = row_id
    wanted = {(sections[s], sessions[t]) for s, terms in plan.section_terms.items() for t in terms}
    in_scope = {sections[s] for s in plan.section_terms}
    stale = [row_id for (section, term), row_id in existing.items() if section in in_scope and
             (section, term) not in wanted]
    new = sorted(wanted - set(existing))
    await writer.delete_ids("section_term", stale)
    await writer.execute_many("INSERT INTO section_term (section, term) VALUES (?, ?)", new)
    counts["class terms"] = len(new) + len(stale)


async def _write_school_enrollments(writer, plan, people, schools, inactive_people, counts, progress) -> None:
    existing: dict[tuple[int, int], list[tuple[int, str, str]]] = {}
    for row_id, student, school, grade, status in await writer.fetch(
            "SELECT id, student, school, grade, status FROM school_enrollment"):
        existing.setdefault((student, school), []).append((row_id, grade, status))
    wanted = {(people[s], schools[o]): grade for (s, o), grade in plan.school_enrollments.items()
              if s in people and o in schools}
    scope = None if plan.school_scope is None else {people[s] for s in plan.school_scope if s in people}
    ended = {(people[s], schools[o]) for s, o in plan.school_ended if s in people and o in schools}

    inserts, updates, inactive = [], [], []
    for pair, grade in wanted.items():
        rows = existing.get(pair)
        if rows is None:
            inserts.append((pair[0], pair[1], grade or "", "active"))
            continue
        for row_id, old_grade, status in rows:
            new_grade = old_grade if grade is None else grade
            if status != "active" or new_grade != old_grade:
                updates.append((new_grade, "active", row_id))
    for pair, rows in existing.items():
        student = pair[0]
        out = pair in ended or student in inactive_people or (
            pair not in wanted and (scope is None or student in scope))
        if out:
            inactive.extend(row_id for row_id, _, status in rows if status != "inactive")
    with progress.stage("writing school enrollments", len(inserts) + len(updates) + len(inactive)) as stage:
        await writer.execute_many("INSERT INTO school_enrollment (student, school, grade, status) VALUES (?, ?, ?, ?)",
                                  inserts, stage)
        await writer.execute_many("UPDATE school_enrollment SET grade = ?, status = ? WHERE id = ?", updates, stage)
        await writer.update_ids("school_enrollment", "status = 'inactive'", inactive)
        stage.advance(len(inactive))
    counts["school enrollments"] = len(inserts) + len(updates)
    if inactive:
        counts["school enrollments made inactive"] = len(inactive)


async def _write_guardian_links(writer, plan, people, inactive_people, counts, progress) -> None:
    """Links the files list are OneRoster's (one Ed-Fi made is taken over); the links removed are only
    OneRoster's own: those the files leave out (in scope) or of a person made inactive. Ed-Fi's stay."""
    existing: dict[tuple[int, int], list[tuple[int, str, bool, str]]] = {}
    for row_id, guardian, student, relationship, is_guardian, source in await writer.fetch(
            "SELECT id, guardian, student, relationship, is_guardian, source FROM guardian_link"):
        existing.setdefault((guardian, student), []).append((row_id, relationship, bool(is_guardian), source))
    wanted = {(people[g], people[s]): role for (g, s), role in plan.links.items() if g in people and s in people}
    scope = None if plan.link_scope is None else {people[s] for s in plan.link_scope if s in people}

    inserts, updates, stale = [], [], []
    for pair, role in wanted.items():
        rows = existing.get(pair)
        if rows is None:
            relationship, is_guardian = role or ("guardian", True)
            inserts.append((pair[0], pair[1], relationship, is_guardian, True, "oneroster"))
            continue
        for row_id, relationship, is_guardian, source in rows:
            now = (relationship, is_guardian) if role is None else tuple(role)
            if (*now, source) != (relationship, is_guardian, "oneroster"):
                updates.append((*now, "oneroster", row_id))
    for pair, rows in existing.items():
        guardian, student = pair
        out = guardian in inactive_people or student in inactive_people or (
            pair not in wanted and (scope is None or guardian in scope or student in scope))
        if out:
            stale.extend(row_id for row_id, _, _, source in rows if source == "oneroster")
    with progress.stage("writing guardian links", len(inserts) + len(updates) + len(stale)) as stage:
        await writer.execute_many("INSERT INTO guardian_link (guardian, student, relationship, is_guardian, "
                                  "portal_access, source) VALUES (?, ?, ?, ?, ?, ?)", inserts, stage)
        await writer.execute_many("UPDATE guardian_link SET relationship = ?, is_guardian = ?, source = ? "
                                  "WHERE id = ?", updates, stage)
        await writer.delete_ids("guardian_link", stale)
        stage.advance(len(stale))
    counts["guardian links"] = len(inserts) + len(updates)
    if stale:
        counts["guardian links removed"] = len(stale)


async def _write_birth_dates(writer, plan, people, counts) -> None:
    if not plan.birth_dates and not plan.clear_other_birth_dates:
        return
    stored = dict(await writer.fetch("SELECT id, birth_date FROM person WHERE birth_date IS NOT NULL"))
    wanted = {people[s]: d for s, d in plan.birth_dates.items() if s in people}
    changes = [(d, pid) for pid, d in wanted.items() if stored.get(pid) != d]
    if plan.clear_other_birth_dates:
        changes += [(None, pid) for pid in stored if pid not in wanted]
    await writer.execute_many("UPDATE person SET birth_date = ? WHERE id = ?", changes)
    counts["birth dates"] = len(changes)


async def _write_phones(writer, plan, people, counts) -> None:
    """The SIS's own numbers, one per kind; a parent's own numbers are never touched (app/importers/sis_phones.py,
    shared with the Ed-Fi import)."""
    wanted = {people[s]: kinds for s, kinds in plan.phones.items() if s in people}
    if wanted:
        counts["phones"] = await write_sis_phones(writer, wanted, source="oneroster")
