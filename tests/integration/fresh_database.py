"""A database of a test's own, for tests that migrate one from nothing, on the engine the suite runs on: a SQLite
file in the test's folder, or a new database on the suite's PostgreSQL server, dropped after the test."""

from __future__ import annotations

import os
import sqlite3
import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator, Sequence

from tests.conftest import ON_POSTGRES


@asynccontextmanager
async def fresh_database(tmp_path: Path, name: str) -> AsyncIterator[str]:
    """The new database's URL."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path}/{name}.sqlite3"
        return
    name = f"{name}_{uuid.uuid4().hex[:8]}"
    await _on_the_server(f'CREATE DATABASE "{name}"')
    try:
        yield os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name
    finally:
        await _on_the_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def run_sql(database_url: str, statement: str, rows: Sequence[tuple] = ()) -> list[tuple]:
    """`statement` (a ? for each value) once for each of `rows`, or once with no values, on a connection of its
    own (outside the suite's pool); the rows it gave (none when run for `rows`)."""
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            if rows:
                db.executemany(statement, rows)
                return []
            return db.execute(statement).fetchall()
    import asyncpg

    parts = statement.split("?")
    statement = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))
    connection = await asyncpg.connect(database_url)
    try:
        if rows:
            await connection.executemany(statement, rows)
            return []
        return [tuple(row) for row in await connection.fetch(statement)]
    finally:
        await connection.close()


async def _on_the_server(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(os.environ["DATABASE_URL"])
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
