"""The outbox rows written before payloads were sealed (issue 9 item 4): their plaintext bodies went with
the previous migration. Those already sent keep their record (status sent); those still waiting cannot be
written again and are cancelled, said so in last_error. And the index the sender's claim walks: the
queued rows by when they are due (raw SQL: Piccolo's table classes cannot declare a composite index)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T07:54:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox: legacy rows' status; (status, next_attempt_at) index"

INDEX = "outbox_email_status_next_attempt_at"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="homeroom", description=DESCRIPTION)

    async def settle_legacy_rows():
        await engine_finder().run_ddl(
            "UPDATE outbox_email SET "
            "last_error = CASE WHEN sent_at IS NULL THEN "
            "'cancelled by the upgrade that sealed the outbox: written before it, in plaintext' "
            "ELSE last_error END, "
            "status = CASE WHEN sent_at IS NULL THEN 'cancelled' ELSE 'sent' END "
            "WHERE payload IS NULL AND status = 'queued'")
        await engine_finder().run_ddl(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "outbox_email" ("status", "next_attempt_at", "id")')

    async def drop_index():
        await engine_finder().run_ddl(f'DROP INDEX IF EXISTS "{INDEX}"')

    manager.add_raw(settle_legacy_rows)
    manager.add_raw_backwards(drop_index)
    return manager
