"""Batched writes for imports, inside the caller's transaction, on SQLite and PostgreSQL.

Rows are upserted by `source_id` in chunks: on SQLite with one `executemany` of
`INSERT ... ON CONFLICT (source_id) DO UPDATE ... WHERE <something changed>`; on PostgreSQL by COPY into a
temporary table and one `INSERT ... SELECT ... ON CONFLICT` per chunk. The WHERE clause means a row whose
values did not change is not written at all, so running the same file twice leaves every table (including
`updated_at`) exactly as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from app import clock
from app.database import engine
from app.importers.progress import Stage

SQLITE_CHUNK = 20_000
POSTGRES_CHUNK = 50_000
ID_CHUNK = 500  # ids per `WHERE id IN (...)`


def new_public_id() -> uuid.UUID:
    return uuid.uuid4()


class TableWriter:
    """Use inside `app.database.transaction()`: every statement goes through that transaction's connection."""

    def __init__(self) -> None:
        db = engine()
        transaction = db.current_transaction.get()
        assert transaction is not None, "TableWriter needs an open transaction"
        self.connection = transaction.connection
        self.postgres = isinstance(db, PostgresEngine)
        self._staged: set[str] = set()
        self._tuned = False
        self.now = clock.now()  # the portal's clock (app/clock.py), which tests move

    # ------------------------------------------------------------------------------------------------ reading

    def _sql(self, sql: str) -> str:
        """Write SQL with `?` placeholders; PostgreSQL gets `$1, $2, ...`."""
        if not self.postgres:
            return sql
        parts = sql.split("?")
        return "".join(p + (f"${i + 1}" if i < len(parts) - 1 else "") for i, p in enumerate(parts))

    async def fetch(self, sql: str, *params: Any) -> list[tuple]:
        if self.postgres:
            return [tuple(r) for r in await self.connection.fetch(self._sql(sql), *params)]
        cursor = await self.connection.execute(sql, params)
        try:
            rows = await cursor.fetchall()
        finally:
            await cursor.close()
        return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rows]

    async def key_map(self, table: str, key: str = "source_id") -> dict[str, int]:
        return dict(await self.fetch(f'SELECT "{key}", id FROM "{table}" WHERE "{key}" IS NOT NULL'))

    # ------------------------------------------------------------------------------------------------ writing

    async def execute_many(self, sql: str, rows: Sequence[tuple], stage: Stage | None = None) -> None:
        chunk = POSTGRES_CHUNK if self.postgres else SQLITE_CHUNK
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            if self.postgres:
                await self.connection.executemany(self._sql(sql), part)
            else:
                await self.connection.executemany(sql, part)
            if stage:
                stage.advance(len(part))

    async def update_ids(self, table: str, assignments: str, ids: Iterable[int], *params: Any,
                         where: str = "") -> None:
        """`UPDATE table SET <assignments> WHERE id IN (...) [AND where]`, in chunks of ids."""
        id_list = sorted(set(ids))
        for start in range(0, len(id_list), ID_CHUNK):
            part = id_list[start:start + ID_CHUNK]
            marks = ",".join("?" * len(part))
            extra = f" AND ({where})" if where else ""
            await self.run(f'UPDATE "{table}" SET {assignments} WHERE id IN ({marks}){extra}', *params, *part)

    async def delete_ids(self, table: str, ids: Iterable[int]) -> None:
        id_list = sorted(set(ids))
        for start in range(0, len(id_list), ID_CHUNK):
            part = id_list[start:start + ID_CHUNK]
            await self.run(f'DELETE FROM "{table}" WHERE id IN ({",".join("?" * len(part))})', *part)

    async def run(self, sql: str, *params: Any) -> None:
        if self.postgres:
            await self.connection.execute(self._sql(sql), *params)
        else:
            cursor = await self.connection.execute(sql, params)
            await cursor.close()

    async def insert(self, table: str, columns: Sequence[str], rows: list[tuple]) -> int:
        """Insert new rows as they are (ids included): COPY on PostgreSQL, one executemany on SQLite.
        For generated data that cannot collide (the demo district); imports upsert instead."""
        if not rows:
            return 0
        if self.postgres:
            await self.connection.copy_records_to_table(table, records=rows, columns=list(columns))
        else:
            marks = ", ".join("?" * len(columns))
            column_list = ", ".join(f'"{c}"' for c in columns)
            cursor = await self.connection.executemany(f'INSERT INTO "{table}" ({column_list}) VALUES ({marks})', rows)
            await cursor.close()
        return len(rows)

    async def upsert(self, table: str, columns: Sequence[str], rows: Iterable[tuple] | AsyncIterable[tuple], *,
                     insert_only: Sequence[str] = (), keep_when_empty: Sequence[str] = (),
                     touched: str | None = None, stage: Stage | None = None) -> int:
        """Insert or update rows keyed by `source_id` (the first column). Returns rows inserted or changed.

        insert_only: columns written for a new row and never changed afterwards (public ids, portal flags).
        keep_when_empty: an empty value in the file keeps what is stored (an email the portal confirmed).
        touched: a timestamp column set to now when the row is new or changed.
        Within one chunk a later row with the same source_id wins. `rows` may be an async iterable (rows
        checked while a source is streamed).
        """
        assert columns[0] == "source_id"
        all_columns = list(columns) + ([touched] if touched else [])
        changing = [c for c in columns[1:] if c not in insert_only]

        def value(c: str) -> str:
            if c in keep_when_empty:
                return f'COALESCE(NULLIF(excluded."{c}", \'\'), "{table}"."{c}")'
            return f'excluded."{c}"'

        distinct = "IS DISTINCT FROM" if self.postgres else "IS NOT"
        sets = [f'"{c}" = {value(c)}' for c in changing] + ([f'"{touched}" = excluded."{touched}"'] if touched else [])
        changed = " OR ".join(f'"{table}"."{c}" {distinct} {value(c)}' for c in changing) or "FALSE"
        conflict = f'ON CONFLICT (source_id) DO UPDATE SET {", ".join(sets)} WHERE {changed}' if changing \
            else "ON CONFLICT (source_id) DO NOTHING"
        column_list = ", ".join(f'"{c}"' for c in all_columns)

        if not self.postgres and not self._tuned:
            self._tuned = True  # this connection only: a bigger page cache for large indexes (256 MB)
            await self.run("PRAGMA cache_size = -262144")
        written = 0
        chunk_size = POSTGRES_CHUNK if self.postgres else SQLITE_CHUNK
        async for chunk in _chunks(rows, chunk_size):
            unique = list({row[0]: row for row in chunk}.values())
            if touched:
                unique = [(*row, self.now) for row in unique]
            if self.postgres:
                staging = f"import_stage_{table}"
                if staging not in self._staged:
                    await self.connection.execute(
                        f'CREATE TEMP TABLE IF NOT EXISTS "{staging}" ON COMMIT DROP AS '
                        f'SELECT {column_list} FROM "{table}" WITH NO DATA')
                    self._staged.add(staging)
                else:
                    await self.connection.execute(f'TRUNCATE "{staging}"')
                await self.connection.copy_records_to_table(staging, records=unique, columns=all_columns)
                status = await self.connection.execute(
                    f'INSERT INTO "{table}" ({column_list}) SELECT {column_list} FROM "{staging}" {conflict}')
                written += int(status.rsplit(" ", 1)[-1])
            else:
                marks = ", ".join("?" * len(all_columns))
                cursor = await self.connection.executemany(
                    f'INSERT INTO "{table}" ({column_list}) VALUES ({marks}) {conflict}', unique)
                written += max(cursor.rowcount, 0)
                await cursor.close()
            if stage:
                stage.advance(len(chunk))
        return written


async def _chunks(rows: Iterable[tuple] | AsyncIterable[tuple], size: int) -> AsyncIterator[list[tuple]]:
    chunk: list[tuple] = []
    if isinstance(rows, AsyncIterable):
        async for row in rows:
            chunk.append(row)
            if len(chunk) >= size:
                yield chunk
                chunk = []
    else:
        for row in rows:
            chunk.append(row)
            if len(chunk) >= size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk
