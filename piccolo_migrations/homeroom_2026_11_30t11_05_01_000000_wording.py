"""The unique index of sis_translation (kind, sis_value, language) (issue 13 item 10, branch wording): one text
per SIS value and language. Raw SQL, the same on SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T11:05:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "sis_translation unique index"

INDEX = "sis_translation_kind_value_language"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="homeroom", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            f'CREATE UNIQUE INDEX IF NOT EXISTS "{INDEX}" ON "sis_translation" ("kind", "sis_value", "language")')

    async def drop_index():
        await engine_finder().run_ddl(f'DROP INDEX IF EXISTS "{INDEX}"')

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
