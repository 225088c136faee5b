"""calendar_date (branch alerts, issue 12): the days that are not school days (holidays, breaks, snow days)
and the school days on a weekend (make-up days), per school or for the whole district, from Ed-Fi
`calendarDates` or `homeroom import calendar`. Depends only on school."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import Boolean
from piccolo.columns.column_types import Date
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Serial
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class School(Table, tablename="school", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-11-30T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "calendar_date (branch alerts)"


def _params(**given) -> dict:
    return {"null": False, "primary_key": False, "unique": False, "index": False,
            "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **given}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="homeroom", description=DESCRIPTION)
    manager.add_table(class_name="CalendarDate", tablename="calendar_date", schema=None, columns=None)
    for name, column_class, params in (
            ("source_id", Varchar, _params(length=255, default="", unique=True)),
            ("school", ForeignKey, _params(references=School, on_delete=OnDelete.cascade,
                                           on_update=OnUpdate.cascade, target_column=None, null=True,
                                           default=None, index=True)),
            ("day", Date, _params(default=DateNow(), index=True)),
            ("school_day", Boolean, _params(default=False)),
            ("kind", Varchar, _params(length=30, default="closed")),
            ("description", Varchar, _params(length=255, default="")),
            ("updated_at", Timestamptz, _params(default=TimestamptzNow()))):
        manager.add_column(table_class_name="CalendarDate", tablename="calendar_date", column_name=name,
                           db_column_name=name, column_class_name=column_class.__name__,
                           column_class=column_class, params=params, schema=None)
    return manager
