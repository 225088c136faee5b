"""sis_translation (issue 13 item 10, branch wording): what a parent reads for an SIS value (a term's name,
an absence reason) in each language, one row per (kind, SIS value, language); its unique index is the next migration (Piccolo runs a
migration's raw SQL before its new tables)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T11:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sis_translation"


def _varchar(length: int) -> dict:
    return {"length": length, "default": "", "null": False, "primary_key": False, "unique": False, "index": False,
            "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="homeroom", description=DESCRIPTION)
    manager.add_table(class_name="SisTranslation", tablename="sis_translation", schema=None, columns=None)
    for name, length in (("kind", 20), ("sis_value", 200), ("language", 8), ("text", 200)):
        manager.add_column(table_class_name="SisTranslation", tablename="sis_translation", column_name=name,
                           db_column_name=name, column_class_name="Varchar", column_class=Varchar,
                           params=_varchar(length), schema=None)

    return manager
