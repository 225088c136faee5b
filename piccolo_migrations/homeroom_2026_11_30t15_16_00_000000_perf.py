"""A composite index on result (student, updated_at): home shows each child's scores of the last 14 days
(issue 13, speed). By the student's index alone PostgreSQL read every score the children have this year; with
the updated_at index too it read the whole district's scores of those 14 days (5,465 index entries at 1,000
students, about half a million at 100,000) to intersect them. This one reads the rows shown. Written as raw
SQL, as Piccolo's table classes cannot declare a composite index (the same statement on SQLite and
PostgreSQL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T15:16:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "result (student, updated_at) index"

INDEX = "result_student_updated_at"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="homeroom", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "result" ("student", "updated_at")')

    async def drop_index():
        await engine_finder().run_ddl(f'DROP INDEX IF EXISTS "{INDEX}"')

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
