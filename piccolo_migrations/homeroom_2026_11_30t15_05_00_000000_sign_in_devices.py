"""audit_event.browser and audit_event.system (issue 13 item 6): the account page's recent sign-ins name the
device each came from ("Chrome on Android, 10 minutes ago").

Only the two names ua-parser reads from the User-Agent header are kept (app/rules/devices.py), never the
header itself: the audit log is kept for years, and the whole header (versions, build, device model) is
enough to tell one person's phone from another's; the names are what a parent needs to recognise a device.
Events recorded before this migration have neither ("Unknown browser")."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T15:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit_event.browser and audit_event.system: the device of a sign-in, in words"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="homeroom", description=DESCRIPTION)
    for column in ("browser", "system"):
        manager.add_column(table_class_name="AuditEvent", tablename="audit_event", column_name=column,
                           db_column_name=column, column_class_name="Varchar", column_class=Varchar,
                           params={"length": 40, "default": "", "null": False, "primary_key": False,
                                   "unique": False, "index": False, "index_method": IndexMethod.btree,
                                   "choices": None, "db_column_name": None, "secret": False},
                           schema=None)
    return manager
