"""The database engine (SQLite by default, PostgreSQL when DATABASE_URL says so) and the one
transaction helper every service uses."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from contextlib import asynccontextmanager
from functools import lru_cache
from string import Formatter
from typing import Any, AsyncIterator

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory
from piccolo.querystring import QueryString


def build_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite:///"):
        # timeout: concurrent writers wait for the lock instead of failing at once (it is also the
        # connection's PRAGMA busy_timeout, 30000 ms).
        return PooledSQLiteEngine(path=database_url.removeprefix("sqlite:///"), timeout=30)
    dsn = database_url.replace("postgres://", "postgresql://", 1)
    return PostgresEngine(config={"dsn": dsn}, extensions=())


# Statements that change the connection itself rather than the database (a setting, an attached file,
# an open transaction): on a long-lived connection they would outlive the statement, so they get a
# connection of their own, as every statement did before the pool.
_CHANGES_CONNECTION = re.compile(r"\s*(PRAGMA|ATTACH|DETACH|BEGIN|SAVEPOINT|CREATE\s+TEMP)\b", re.IGNORECASE)


class _ConnectionPool:
    """Up to `size` idle aiosqlite connections, for the event loop that opened the pool. A query takes
    an idle one or, when none is idle, opens one; it never waits for another query to finish. After
    the query the connection goes back, unless `size` are already idle or the pool is closed."""

    def __init__(self, engine: "PooledSQLiteEngine", loop: asyncio.AbstractEventLoop, size: int) -> None:
        self.engine = engine
        self.loop = loop
        self.size = size
        self.idle: list[aiosqlite.Connection] = []
        self.closed = False

    async def take(self) -> aiosqlite.Connection:
        if self.idle:
            return self.idle.pop()
        connection = aiosqlite.connect(**self.engine.connection_kwargs)
        # A daemon thread (aiosqlite starts it on await): a pool that is never closed must not keep the
        # process from exiting. Its statements have committed by then; SQLite needs no close for that.
        thread = getattr(connection, "_thread", None)
        if thread is not None:
            thread.daemon = True
        await connection
        try:
            connection.row_factory = dict_factory
            await connection.execute("PRAGMA foreign_keys = 1")
        except BaseException:
            connection.stop()
            raise
        return connection

    async def give_back(self, connection: aiosqlite.Connection) -> None:
        if not self.closed and len(self.idle) < self.size and not connection.in_transaction:
            self.idle.append(connection)
        else:
            await connection.close()

    async def close(self) -> None:
        self.closed = True
        idle, self.idle = self.idle, []
        for connection in idle:
            await connection.close()


class PooledSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLiteEngine with its statements outside a transaction run on pooled connections.

    Piccolo opens an aiosqlite connection for every such statement (a new OS thread, a connect and
    `PRAGMA foreign_keys = 1`), runs it, commits and closes; on a portal page that set-up costs far
    more than the SQL. While a pool is open for the running event loop (prepare_engine() opens it,
    close_engine() closes it), the statement runs the same way on a kept connection, set up the same
    way once: autocommit (`isolation_level=None`), so the statement commits by itself and a failing
    one is rolled back by SQLite and leaves the connection as it was. Anywhere else (another event
    loop, no pool, a statement that changes the connection) it is Piccolo's own per-statement
    connection. Transactions are untouched: they open their own connection (`get_connection()`)."""

    def __init__(self, *args: Any, pool_size: int = 4, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pool_size = pool_size
        self._pool: _ConnectionPool | None = None

    async def open_pool(self) -> None:
        """A pool for the running event loop, replacing any other (whose loop may be gone: aiosqlite
        connections are not tied to a loop, so closing them from this one is safe)."""
        await self.close_pool()
        self._pool = _ConnectionPool(self, asyncio.get_running_loop(), self.pool_size)

    async def close_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def _run_in_new_connection(self, query: str, args: list[Any] | None = None,
                                     query_type: str = "generic", table: Any = None):
        pool = self._pool
        if pool is None or pool.loop is not asyncio.get_running_loop() or _CHANGES_CONNECTION.match(query):
            return await super()._run_in_new_connection(query, args, query_type, table)
        connection = await pool.take()
        try:
            # Piccolo's own steps, on the kept connection.
            async with connection.execute(query, args or []) as cursor:
                await connection.commit()
                if query_type == "insert" and self.get_version_sync() < 3.35:
                    assert table is not None
                    pk = await self._get_inserted_pk(cursor, table)
                    response = [{table._meta.primary_key._meta.db_column_name: pk}]
                else:
                    response = await cursor.fetchall()
        except sqlite3.Error:
            # SQLite has rolled the statement back; the connection is as it was.
            await pool.give_back(connection)
            raise
        except BaseException:
            # Cancelled (or worse) mid-statement: the statement may still be running on the
            # connection's thread. Close it once that is done, without waiting here.
            connection.stop()
            raise
        await pool.give_back(connection)
        return response


_found: list[Engine] = []


def engine() -> Engine:
    """piccolo_conf.DB: found once per process, as Piccolo's tables keep it (`Table._meta.db`)."""
    if not _found:
        from piccolo.engine.finder import engine_finder

        found = engine_finder()
        assert found is not None, "piccolo_conf.py defines DB"
        _found.append(found)
    return _found[0]


def is_postgres() -> bool:
    return isinstance(engine(), PostgresEngine)


@lru_cache(maxsize=1024)
def _numbered(sql: str, count: int) -> str:
    """A statement's `{}` placeholders as PostgreSQL's $1, $2, ... (what Piccolo's QueryString makes of them,
    done once per statement text rather than for every run)."""
    parts = list(Formatter().parse(sql))
    fields = sum(1 for _, field, _, _ in parts if field is not None)
    if fields != count:
        raise ValueError(f"the statement has {fields} placeholders and {count} values")
    numbered, index = [], 0
    for literal, field, _, _ in parts:
        numbered.append(literal)
        if field is not None:
            index += 1
            numbered.append(f"${index}")
    return "".join(numbered)


async def fetch(sql: str, *args: Any) -> list[dict[str, Any]]:
    """A written-out statement (`{}` for each value, as `Table.raw` takes it) and its rows as dicts, in the
    running transaction if there is one. The same as `await Table.raw(sql, *args)`, for the statements every
    page runs: on PostgreSQL it goes to asyncpg directly, skipping Piccolo's query object, its placeholder
    parsing on every run and its result pipeline (about 0.06 ms of CPU a statement, a sixth of what a page's
    statement costs the portal in all; bench/RESULTS.md). SQLite keeps Piccolo's own path (with this module's
    pooled connections)."""
    db = engine()
    if isinstance(db, PostgresEngine):
        query = _numbered(sql, len(args))
        running = db.current_transaction.get()
        if running is not None:
            rows = await running.connection.fetch(query, *args)
        elif db.pool is not None:
            async with db.pool.acquire() as connection:
                rows = await connection.fetch(query, *args)
        else:
            return db.transform_response_to_dicts(await db.run_querystring(QueryString(sql, *args)))
        return [dict(row) for row in rows]
    return db.transform_response_to_dicts(await db.run_querystring(QueryString(sql, *args)))


@asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """One unit of work. On SQLite it takes the write lock at once (BEGIN IMMEDIATE), because every
    service reads then writes; PostgreSQL relies on row locks and conditional updates."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with db.transaction():
            yield


async def hold_row(table: str, row_id: int) -> None:
    """Inside a transaction: `table`'s row `row_id` for this transaction alone, so a check and the write that depends
    on it run one request at a time (a double tap, a burst of 60 at once). PostgreSQL locks the row (FOR UPDATE);
    SQLite's transaction already holds the database's write lock from its start (transaction()). `table` is a name
    from the code, never from a request."""
    if is_postgres():
        await fetch(f"SELECT id FROM {table} WHERE id = {{}} FOR UPDATE", row_id)


async def _keep_session_state(connection) -> None:
    """What the pool runs when a connection comes back, after asyncpg's own step (which rolls back a
    transaction left open): nothing more. asyncpg's default also runs `pg_advisory_unlock_all(); CLOSE
    ALL; UNLISTEN *; RESET ALL`, a second round trip after every query Piccolo runs outside a
    transaction; the portal never takes advisory locks, holds cursors outside a transaction, LISTENs
    or SETs session variables, so there is nothing for it to undo. Anything that starts doing so must
    undo it itself (or bring the default reset back)."""


# How many holders share the open pool (the app's lifespan, a CLI command, a test session): the pool is
# opened by the first prepare_engine() in an event loop and closed by the last holder's close_engine(), so
# two apps in one process (tests run two app instances side by side) do not close each other's pool.
_holders = 0


def pool_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop the open connection pool belongs to, or None when no pool is open."""
    db = engine()
    if isinstance(db, PostgresEngine):
        return getattr(db.pool, "_loop", None) if db.pool is not None else None
    if isinstance(db, PooledSQLiteEngine) and db._pool is not None:
        return db._pool.loop
    return None


async def prepare_engine() -> None:
    """Start-up: a connection pool on PostgreSQL; on SQLite, WAL mode (readers never wait for a writer)
    and a pool of connections for this event loop. When this loop's pool is already open, this call
    becomes one more holder of it (close_engine() then only lets go)."""
    global _holders
    if _holders and pool_loop() is asyncio.get_running_loop():
        _holders += 1
        return
    db = engine()
    if isinstance(db, PostgresEngine):
        if db.pool is not None:  # another event loop's, which cannot serve this one
            _close_foreign_pool(db)
        # min_size=0: start-up opens no connection. A worker uvicorn starts again while the database is down
        # must come up and answer 503s (uvicorn stops the whole server when a new worker fails to start);
        # `homeroom serve` checks the database (migrate) before any worker starts.
        await db.start_connection_pool(min_size=0, max_size=10, reset=_keep_session_state)
    else:
        await db.run_ddl("PRAGMA journal_mode=WAL")
        if isinstance(db, PooledSQLiteEngine):
            await db.open_pool()
    _holders = 1


def _close_foreign_pool(db: PostgresEngine) -> None:
    """Drop a pool left by an event loop that is gone or elsewhere: its connections cannot be closed from
    this loop (asyncpg ties them to theirs), so they are terminated, and PostgreSQL ends their backends."""
    pool, db.pool = db.pool, None
    if pool is not None:
        pool.terminate()


async def close_engine() -> None:
    """Let go of the pool: the last holder closes it."""
    global _holders
    if _holders > 1 and pool_loop() is asyncio.get_running_loop():
        _holders -= 1
        return
    _holders = 0
    db = engine()
    if isinstance(db, PostgresEngine):
        if db.pool is not None and pool_loop() is not asyncio.get_running_loop():
            _close_foreign_pool(db)
        else:
            await db.close_connection_pool()
    elif isinstance(db, PooledSQLiteEngine):
        await db.close_pool()
