"""restricted_address (issue 11, branch rights): the email addresses a guardian had on file while their access
to a child was off, so that changing the address does not turn the shared-mailbox rule off
(app/services/mail_access.py). What is on file today is remembered by the next migration (Piccolo runs a
migration's raw SQL before its new tables)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-30T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "restricted_address: addresses a guardian had on file while their access to a child was off"


class Person(Table, tablename="person", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


def _params(**changes) -> dict:
    params = {"null": False, "primary_key": False, "unique": False, "index": False,
              "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False}
    params.update(changes)
    return params


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="homeroom", description=DESCRIPTION)
    table = {"table_class_name": "RestrictedAddress", "tablename": "restricted_address", "schema": None}
    manager.add_table(class_name="RestrictedAddress", tablename="restricted_address", schema=None, columns=None)
    manager.add_column(**table, column_name="guardian", db_column_name="guardian", column_class_name="ForeignKey",
                       column_class=ForeignKey,
                       params=_params(references=Person, on_delete=OnDelete.cascade, on_update=OnUpdate.cascade,
                                      target_column=None, null=True, index=True))
    manager.add_column(**table, column_name="email", db_column_name="email", column_class_name="Varchar",
                       column_class=Varchar, params=_params(length=320, default=""))
    manager.add_column(**table, column_name="noted_at", db_column_name="noted_at", column_class_name="Timestamptz",
                       column_class=Timestamptz, params=_params(default=TimestamptzNow()))
    manager.add_column(**table, column_name="noted_how", db_column_name="noted_how", column_class_name="Varchar",
                       column_class=Varchar, params=_params(length=20, default="blocked"))
    return manager
