"""A composite index on attendance_event (student, event_date): the attendance page and home read one
student's events in a date range, and at district scale (ten million events) the single-column indexes
leave the planner to pick between "all of this student's events" and "every student's events on these
days". Piccolo's table classes cannot declare a composite index, so this migration is written by hand
as raw SQL (the same statement on SQLite and PostgreSQL; IF NOT EXISTS makes it safe to re-run)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T21:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "attendance_event (student, event_date) index"

INDEX = "attendance_event_student_event_date"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="homeroom", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "attendance_event" ("student", "event_date")')

    async def drop_index():
        await engine_finder().run_ddl(f'DROP INDEX IF EXISTS "{INDEX}"')

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
