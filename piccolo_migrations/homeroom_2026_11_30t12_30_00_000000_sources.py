"""Branch sources (issue 10): which import brought each person and each guardian link.

- person.source and guardian_link.source: "oneroster" or "edfi". A OneRoster bulk import makes inactive or
  unlinks only rows OneRoster brought, so guardians and links only Ed-Fi knows survive it (README "Two sources").
- Existing rows become "oneroster": until now every OneRoster bulk run treated every row as its own, so this
  keeps what those rows were (the demo district's rows are OneRoster-shaped too). Links Ed-Fi made before this
  migration are removed once more by the next OneRoster bulk run if its files do not list them, and the next
  Ed-Fi run makes them again, now as "edfi"; from then on they stay.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T12:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "person.source and guardian_link.source (oneroster | edfi)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="homeroom", description=DESCRIPTION)
    for class_name, table in (("Person", "person"), ("GuardianLink", "guardian_link")):
        manager.add_column(table_class_name=class_name, tablename=table, column_name="source",
                           db_column_name="source", column_class_name="Varchar", column_class=Varchar,
                           params={"length": 20, "default": "oneroster", "null": False, "primary_key": False,
                                   "unique": False, "index": False, "index_method": IndexMethod.btree,
                                   "choices": None, "db_column_name": None, "secret": False},
                           schema=None)
    return manager
