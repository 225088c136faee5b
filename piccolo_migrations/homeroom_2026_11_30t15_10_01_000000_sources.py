"""The sources of the rows already there (the previous migration added the columns; raw SQL, the same on
SQLite and PostgreSQL, in its own migration because Piccolo runs raw SQL before it adds columns).

- The Ed-Fi grading periods (`edfi-gp-*`, the only sessions the Ed-Fi import makes) become "edfi", and active
  again: no OneRoster file lists those ids, so one that is inactive was made so by a OneRoster bulk
  academicSessions.csv that left it out (the fault the new column ends), and its term grades were hidden
  from parents since.
- A SIS number of a guardian only Ed-Fi brought is Ed-Fi's; every other SIS number is counted OneRoster's
  (until now either import could remove it). A number Ed-Fi brought for a guardian OneRoster also lists may
  so be removed once more by the next OneRoster run whose users.csv has no number of that kind; the next
  Ed-Fi run brings it back as Ed-Fi's, and from then on it stays."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T15:10:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "the sources of existing academic sessions and SIS phone numbers"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="homeroom", description=DESCRIPTION)

    async def fill_sources():
        await engine_finder().run_ddl(
            "UPDATE academic_session SET source = 'edfi', status = 'active' WHERE source_id LIKE 'edfi-gp-%'")
        await engine_finder().run_ddl(
            "UPDATE contact_phone SET source = CASE WHEN person IN (SELECT id FROM person WHERE source = 'edfi') "
            "THEN 'edfi' ELSE 'oneroster' END WHERE from_sis")

    manager.add_raw(fill_sources)
    return manager
