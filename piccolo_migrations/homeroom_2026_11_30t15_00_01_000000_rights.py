"""restricted_address, filled (issue 11, branch rights): the address on file today of every guardian whose
access to a child is off now — an open restriction, or a guardian link the SIS keeps without portal access —
as if it had been remembered when access was switched off (app/services/mail_access.py
remember_restricted_addresses holds the same condition, for later)."""

from datetime import datetime, timezone

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-11-30T15:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "restricted_address: the addresses on file of guardians whose access to a child is off now"

REMEMBER = """
INSERT INTO restricted_address (guardian, email, noted_at, noted_how)
SELECT p.id, p.email, {}, 'migration' FROM person p
WHERE p.email IS NOT NULL AND p.email <> '' AND (
    EXISTS (SELECT 1 FROM access_restriction ar WHERE ar.guardian = p.id AND ar.lifted_at IS NULL)
    OR EXISTS (SELECT 1 FROM guardian_link l WHERE l.guardian = p.id AND l.is_guardian = {} AND l.portal_access = {}))
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="homeroom", description=DESCRIPTION)

    async def remember():
        await engine_finder().run_querystring(QueryString(REMEMBER, datetime.now(timezone.utc), True, False))

    async def forget():
        await engine_finder().run_ddl("DELETE FROM restricted_address WHERE noted_how = 'migration'")

    manager.add_raw(remember)
    manager.add_raw_backwards(forget)
    return manager
