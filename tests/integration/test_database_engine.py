"""SQLite's connection pool (app/database.py, PooledSQLiteEngine): statements outside a transaction run on
kept connections instead of a new connection (and OS thread) each, with the same results."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from datetime import datetime, timezone

import aiosqlite
import pytest

from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's connection pool; PostgreSQL has asyncpg's")

WINDOW = datetime(2026, 3, 11, tzinfo=timezone.utc)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts aiosqlite connections opened, by the pool and by Piccolo alike."""
    count = [0]
    connect = aiosqlite.connect

    def counting(*args, **kwargs):
        count[0] += 1
        return connect(*args, **kwargs)

    monkeypatch.setattr(aiosqlite, "connect", counting)
    return count


@pytest.fixture
async def pooled(database):
    """The engine with a new, empty pool for this loop (in place of the session's, which may hold idle
    connections from earlier tests); it stays open for the tests after."""
    from app.database import PooledSQLiteEngine, engine

    db = engine()
    assert isinstance(db, PooledSQLiteEngine)
    await db.open_pool()
    yield db


async def _threads_settle(expected: int) -> int:
    for _ in range(100):
        if threading.active_count() <= expected:
            break
        await asyncio.sleep(0.01)
    return threading.active_count()


async def test_many_queries_share_one_connection_and_thread(pooled, opened):
    from app.tables import RateCounter

    threads = await _threads_settle(threading.active_count())
    await RateCounter.insert(RateCounter(key="k", count=1, window_ends_at=WINDOW))
    for n in range(50):
        await RateCounter.update({RateCounter.count: RateCounter.count + 1}).where(RateCounter.key == "k")
        assert await RateCounter.select(RateCounter.count).first() == {"count": n + 2}
    assert opened[0] == 1
    assert threading.active_count() <= threads + 1

    await pooled.close_pool()
    assert await _threads_settle(threads) <= threads
    # No pool: Piccolo's own connection per statement, as before.
    assert await _count() == 1
    assert opened[0] == 2


async def test_a_pooled_connection_is_set_up_like_piccolos(pooled):

    await _count()
    [connection] = pooled._pool.idle
    async with connection.execute("PRAGMA foreign_keys") as cursor:
        assert await cursor.fetchall() == [{"foreign_keys": 1}]
    async with connection.execute("PRAGMA busy_timeout") as cursor:
        assert await cursor.fetchall() in ([{"timeout": 30000}], [{"busy_timeout": 30000}])
    async with connection.execute("PRAGMA journal_mode") as cursor:
        assert await cursor.fetchall() == [{"journal_mode": "wal"}]
    assert connection.isolation_level is None and not connection.in_transaction


async def test_a_failing_statement_is_rolled_back_and_the_connection_stays_usable(pooled, opened):
    from app.tables import AuditEvent, RateCounter

    await RateCounter.insert(RateCounter(key="k", count=1, window_ends_at=WINDOW))
    with pytest.raises(sqlite3.IntegrityError):  # the unique key
        await RateCounter.insert(RateCounter(key="k", count=2, window_ends_at=WINDOW))
    with pytest.raises(sqlite3.IntegrityError):  # foreign keys are enforced on the pooled connection
        await AuditEvent.insert(AuditEvent(action="probe", actor=987654))
    with pytest.raises(sqlite3.OperationalError):
        await RateCounter.raw("SELECT * FROM no_such_table")

    assert await RateCounter.select(RateCounter.key, RateCounter.count) == [{"key": "k", "count": 1}]
    assert await AuditEvent.count() == 0
    assert opened[0] == 1
    [connection] = pooled._pool.idle
    assert not connection.in_transaction


async def test_pooled_writes_and_transactions_see_each_other(pooled):
    from app.database import transaction
    from app.tables import RateCounter

    await RateCounter.insert(RateCounter(key="pooled", count=1, window_ends_at=WINDOW))
    async with transaction():
        assert await _keys() == ["pooled"]
        await RateCounter.insert(RateCounter(key="in-transaction", count=1, window_ends_at=WINDOW))
        # Not committed yet: another connection (the pool's) does not see it, and is not blocked (WAL).
        outside = asyncio.create_task(_count_outside_transaction("in-transaction"))
        assert await outside == 0
    assert await _keys() == ["in-transaction", "pooled"]

    with pytest.raises(RuntimeError):
        async with transaction():
            await RateCounter.insert(RateCounter(key="rolled-back", count=1, window_ends_at=WINDOW))
            raise RuntimeError("undo")
    assert await _keys() == ["in-transaction", "pooled"]


async def _keys() -> list[str]:
    from app.tables import RateCounter

    return sorted(r["key"] for r in await RateCounter.select(RateCounter.key))


async def _count() -> int:
    return len(await _keys())


async def _count_outside_transaction(key: str) -> int:
    from app.database import engine
    from app.tables import RateCounter

    engine().current_transaction.set(None)  # this task's copy of the context only
    return len(await RateCounter.select(RateCounter.key).where(RateCounter.key == key))


async def test_queries_beyond_the_pool_size_open_connections_of_their_own(pooled):
    from app.tables import RateCounter

    await RateCounter.insert(RateCounter(key="k", count=1, window_ends_at=WINDOW))
    counts = await asyncio.gather(*(_keys() for _ in range(20)))
    assert counts == [["k"]] * 20
    assert 1 <= len(pooled._pool.idle) <= pooled.pool_size


async def test_a_cancelled_query_does_not_go_back_to_the_pool(pooled):
    from app.tables import RateCounter

    await _count()
    [connection] = pooled._pool.idle
    slow = asyncio.ensure_future(RateCounter.raw(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000000) SELECT count(*) FROM n"))
    await asyncio.sleep(0.05)
    slow.cancel()
    with pytest.raises(asyncio.CancelledError):
        await slow
    assert pooled._pool.idle == []
    assert await _count() == 0
    assert pooled._pool.idle and pooled._pool.idle[0] is not connection


def test_the_engine_works_across_event_loops(migrated_database, opened):
    """As the CLI and the tests use it: several event loops, one after another, in one process."""
    from app.database import close_engine, engine, prepare_engine

    db = engine()

    async def start_and_count() -> int:
        await prepare_engine()
        return await _count()

    async def count() -> int:
        return await _count()

    def run(coroutine):
        with asyncio.Runner(loop_factory=asyncio.new_event_loop) as runner:
            return runner.run(coroutine)

    first = run(start_and_count())  # its loop ends without close_engine()
    assert db._pool is not None and db._pool.idle
    opened_then = opened[0]
    assert run(count()) == first  # another loop: not the dead loop's pool, a connection of its own
    assert opened[0] == opened_then + 1

    async def restart_and_count() -> list[int]:
        await prepare_engine()  # closes the dead loop's connections, opens a pool for this loop
        counts = [await _count() for _ in range(5)]
        await close_engine()
        return counts

    threads = threading.active_count()
    assert run(restart_and_count()) == [first] * 5
    assert opened[0] == opened_then + 3  # prepare_engine()'s PRAGMA journal_mode on its own, and the pool's one
    assert db._pool is None
    for _ in range(100):
        if threading.active_count() < threads:
            break
        time.sleep(0.01)
    assert threading.active_count() < threads  # the first loop's connection thread is gone
