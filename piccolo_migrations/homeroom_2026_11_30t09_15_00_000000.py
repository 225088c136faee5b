"""key_request.ssn_withheld: the requester said the student has no SSN or chose not to give it (issue 13
item 3); such requests always go to the staff queue."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T09:15:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "key_request.ssn_withheld"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="homeroom", description=DESCRIPTION)
    manager.add_column(
        table_class_name="KeyRequest",
        tablename="key_request",
        column_name="ssn_withheld",
        db_column_name="ssn_withheld",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
