"""person.name_key filled for the people already there (the previous migration added it), by the function the
importers write it with (app/rules/names.py person_name_key): the fold is Python's Unicode data, which neither
SQLite nor PostgreSQL has alike in SQL. A few hundred rows to a statement (a CASE on the id), the same SQL on
both; the bench district's 250,000 people take seconds."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

from app.rules.names import person_name_key

ID = "2026-12-01T09:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "person.name_key for the people already there"

ROWS_A_STATEMENT = 300  # 3 parameters a row: under SQLite's oldest limit of 999


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="homeroom", description=DESCRIPTION)

    async def fill_name_keys():
        engine = engine_finder()
        after = 0
        while part := await engine.run_querystring(QueryString(
                "SELECT id, given_name, family_name FROM person WHERE id > {} ORDER BY id LIMIT {}",
                after, ROWS_A_STATEMENT)):
            after = part[-1]["id"]
            cases = " ".join("WHEN {} THEN {}" for _ in part)
            ids = ", ".join("{}" for _ in part)
            values = [v for p in part for v in (p["id"], person_name_key(p["given_name"], p["family_name"]))]
            await engine.run_querystring(QueryString(
                f"UPDATE person SET name_key = CASE id {cases} END WHERE id IN ({ids})",
                *values, *(p["id"] for p in part)))

    manager.add_raw(fill_name_keys)
    return manager
