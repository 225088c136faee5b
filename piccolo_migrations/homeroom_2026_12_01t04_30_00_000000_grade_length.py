"""school_enrollment.grade widened from 8 to 64 characters (issue 13, a tester's find): the OneRoster importer
cut a grade level to 8, so "Kindergarten" showed as "Kinderga" and the longer forms app/rules/grade_levels.py
reads ("Transitional Kindergarten", Ed-Fi descriptors) never matched. PostgreSQL enforces a VARCHAR's length,
so its column is altered; SQLite does not (a VARCHAR is TEXT there), so it needs nothing. Grades already cut
stay cut until the next OneRoster import writes them whole. Raw SQL, as Piccolo's alter_column cannot change
a column on SQLite and this needs no change there."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T04:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "school_enrollment.grade as VARCHAR(64)"


async def _set_length(length: int) -> None:
    engine = engine_finder()
    if engine.engine_type == "postgres":
        await engine.run_ddl(f'ALTER TABLE "school_enrollment" ALTER COLUMN "grade" TYPE VARCHAR({length})')


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="homeroom", description=DESCRIPTION)

    async def widen():
        await _set_length(64)

    async def narrow():  # back to 8: a longer grade level is cut, as it was before
        engine = engine_finder()
        if engine.engine_type == "postgres":
            await engine.run_ddl('UPDATE "school_enrollment" SET "grade" = LEFT("grade", 8)')
        await _set_length(8)

    manager.add_raw(widen)
    manager.add_raw_backwards(narrow)
    return manager
