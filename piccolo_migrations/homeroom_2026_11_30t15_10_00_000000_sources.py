"""academic_session.source and contact_phone.source (issue 10): which import brought the row, "oneroster" or
"edfi", as person.source and guardian_link.source already say (README "Two sources").

- academic_session: Ed-Fi makes the grading periods no OneRoster session matches (`edfi-gp-*`); a OneRoster
  bulk academicSessions.csv now makes inactive only OneRoster's own sessions, so those grading periods and
  the term grades in them stay.
- contact_phone (a SIS number, from_sis): an import's "no number of this kind" removes only the number that
  import brought; a OneRoster users.csv with empty phone cells no longer removes the numbers Ed-Fi brought.
  "" for a parent's own number.
The next migration fills both for the rows already there."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T15:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "academic_session.source and contact_phone.source (oneroster | edfi)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="homeroom", description=DESCRIPTION)
    for class_name, table, default in (("AcademicSession", "academic_session", "oneroster"),
                                       ("ContactPhone", "contact_phone", "")):
        manager.add_column(table_class_name=class_name, tablename=table, column_name="source",
                           db_column_name="source", column_class_name="Varchar", column_class=Varchar,
                           params={"length": 20, "default": default, "null": False, "primary_key": False,
                                   "unique": False, "index": False, "index_method": IndexMethod.btree,
                                   "choices": None, "db_column_name": None, "secret": False},
                           schema=None)
    return manager
