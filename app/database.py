"""The database engine (SQLite by default, PostgreSQL when DATABASE_URL says so) and the one
transaction helper every service uses."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType


def build_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite:///"):
        # timeout: concurrent writers wait for the lock instead of failing at once.
        return SQLiteEngine(path=database_url.removeprefix("sqlite:///"), timeout=30)
    dsn = database_url.replace("postgres://", "postgresql://", 1)
    return PostgresEngine(config={"dsn": dsn}, extensions=())


def engine() -> Engine:
    from piccolo.engine.finder import engine_finder

    found = engine_finder()
    assert found is not None, "piccolo_conf.py defines DB"
    return found


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


async def _keep_session_state(connection) -> None:
    """What the pool runs when a connection comes back, after asyncpg's own step (which rolls back a
    transaction left open): nothing more. asyncpg's default also runs `pg_advisory_unlock_all(); CLOSE
    ALL; UNLISTEN *; RESET ALL`, a second round trip after every query Piccolo runs outside a
    transaction; the portal never takes advisory locks, holds cursors outside a transaction, LISTENs
    or SETs session variables, so there is nothing for it to undo. Anything that starts doing so must
    undo it itself (or bring the default reset back)."""


async def prepare_engine() -> None:
    """Start-up: a connection pool on PostgreSQL, WAL mode on SQLite (readers never wait for a writer)."""
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.start_connection_pool(min_size=1, max_size=10, reset=_keep_session_state)
    else:
        await db.run_ddl("PRAGMA journal_mode=WAL")


async def close_engine() -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()
