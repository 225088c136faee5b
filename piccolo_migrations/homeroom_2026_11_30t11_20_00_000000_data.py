"""Branch data (issue 10): what Ed-Fi matching and households need from the SIS.

- school.identifier: the OneRoster org's `identifier` (an Ed-Fi schoolId may be it, not the sourcedId);
- person.identifier: the OneRoster user's `identifier` as sent, for every kind (a student's is also its
  student number; an Ed-Fi contactUniqueId may be a guardian's identifier);
- guardian_link.primary_contact and guardian_link.lives_with: Ed-Fi studentContactAssociations'
  primaryContactStatus and livesWith; NULL when no source has said (OneRoster has no such fields).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T11:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "school.identifier, person.identifier, guardian_link.primary_contact and lives_with"


def _params(**changes) -> dict:
    params = {"null": False, "primary_key": False, "unique": False, "index": False,
              "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False}
    params.update(changes)
    return params


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="homeroom", description=DESCRIPTION)
    for class_name, table in (("School", "school"), ("Person", "person")):
        manager.add_column(table_class_name=class_name, tablename=table, column_name="identifier",
                           db_column_name="identifier", column_class_name="Varchar", column_class=Varchar,
                           params=_params(length=255, default="", index=True), schema=None)
    for column in ("primary_contact", "lives_with"):
        manager.add_column(table_class_name="GuardianLink", tablename="guardian_link", column_name=column,
                           db_column_name=column, column_class_name="Boolean", column_class=Boolean,
                           params=_params(default=None, null=True), schema=None)
    return manager
