"""A partial index on result (student, line_item) for missing or late work (issue 13, speed): home counts
each child's missing and late work in the grading period shown. By result_student_updated_at PostgreSQL read
every score the children have this year to keep the few flagged ones (260 rows and 107 table pages for the
benchmark's parent of three at 100,000 students, 0.13 ms of the server's CPU on every home page); this index
holds only the rows that count (18 there). Its WHERE is the statement's own (app/services/home.py
_TERM_FLAGS), which both engines require to use a partial index. Raw SQL, as Piccolo's table classes cannot
declare a partial index (the same statement on SQLite and PostgreSQL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T23:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "result (student, line_item) index of missing or late work"

INDEX = "result_student_flagged"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="homeroom", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "result" ("student", "line_item") '
            "WHERE (missing OR late) AND NOT exempt AND status = 'active'")

    async def drop_index():
        await engine_finder().run_ddl(f'DROP INDEX IF EXISTS "{INDEX}"')

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
