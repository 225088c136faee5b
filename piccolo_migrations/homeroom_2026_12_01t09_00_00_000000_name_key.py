"""person.name_key (a school office clerk's find): the given and family name folded for the staff console's
search (app/rules/names.py), so "Nunez" finds "Núñez", "Jose" finds "José" and "OBrien" finds "O’Brien", the
same on SQLite and PostgreSQL. Empty here; the next migration fills it for the people already there (Piccolo
runs raw SQL before it adds columns)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "person.name_key"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="homeroom", description=DESCRIPTION)
    manager.add_column(table_class_name="Person", tablename="person", column_name="name_key",
                       db_column_name="name_key", column_class_name="Text", column_class=Text,
                       params={"default": "", "null": False, "primary_key": False, "unique": False, "index": False,
                               "index_method": IndexMethod.btree, "choices": None, "db_column_name": None,
                               "secret": False},
                       schema=None)
    return manager
