"""Test environment, set before the app is imported (settings are read once).

Which database the suite runs on is chosen by DATABASE_URL: SQLite in a temporary folder by default,
PostgreSQL when the Makefile runs the suite again with DATABASE_URL=postgresql://... (docs/quality.md §1).
Mail goes to a real aiosmtpd server on a free local port (see tests/mailbox.py).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings as hypothesis_settings

# Generated examples are judged by what they find, not by how fast this machine makes them: on a loaded 2-core
# machine (three suites side by side) Hypothesis's timing health checks and per-example deadline fail tests that
# found nothing wrong.
hypothesis_settings.register_profile("homeroom", deadline=None,
                                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
hypothesis_settings.load_profile("homeroom")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_TMP = Path(tempfile.mkdtemp(prefix="homeroom-tests-"))
SMTP_PORT = _free_port()
os.environ["HOMEROOM_ENV"] = "test"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_TMP}/test.sqlite3")
# Under `pytest -n N` (pytest-xdist) each worker is a process of its own with its own temporary folder, SMTP
# port and, on PostgreSQL, its own database: the suite's database name with the worker's name added
# (test_gw0, test_gw1, ...), created by migrated_database() when missing.
# (A worker inherits the environment of the pytest process that started it, this module's settings included.)
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
_SHARED_DATABASE_URL = os.environ["DATABASE_URL"]
if _WORKER and _SHARED_DATABASE_URL.startswith("postgres"):
    os.environ["DATABASE_URL"] = f"{_SHARED_DATABASE_URL}_{_WORKER}"
elif _WORKER and _SHARED_DATABASE_URL.startswith("sqlite"):
    os.environ["DATABASE_URL"] = f"sqlite:///{_TMP}/test.sqlite3"
os.environ["HOMEROOM_SECRET_KEY"] = "test-only-secret-key-not-for-production-0123456789"
os.environ["HOMEROOM_SSN_PEPPER"] = "test-only-ssn-pepper-not-for-production-0123456789"
os.environ["HOMEROOM_PUBLIC_URL"] = "http://portal.test"
os.environ["HOMEROOM_ALLOWED_HOSTS"] = "portal.test,testserver.local,127.0.0.1,localhost"
os.environ["HOMEROOM_SMTP_URL"] = f"smtp://127.0.0.1:{SMTP_PORT}"
os.environ["HOMEROOM_MAIL_FROM"] = "portal@portal.test"

PROJECT_ROOT = Path(__file__).parent.parent
ON_POSTGRES = os.environ["DATABASE_URL"].startswith("postgres")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres_only: PostgreSQL-only behaviour (row locks, real concurrency)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="PostgreSQL only: runs in the suite's PostgreSQL pass (make test does both)")
    for item in items:
        if "postgres_only" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def migrated_database() -> str:
    """Drop everything (PostgreSQL keeps state between runs), then apply the real migrations."""
    if ON_POSTGRES:
        if os.environ["DATABASE_URL"] != _SHARED_DATABASE_URL:
            asyncio.run(_create_postgres(_SHARED_DATABASE_URL, os.environ["DATABASE_URL"].rsplit("/", 1)[1]))
        asyncio.run(_reset_postgres(os.environ["DATABASE_URL"]))
    result = subprocess.run([sys.executable, "-m", "app.cli", "migrate"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, env=os.environ.copy())
    assert result.returncode == 0, result.stdout + result.stderr
    return os.environ["DATABASE_URL"]


async def _create_postgres(url: str, name: str) -> None:
    """Create database `name` (a worker's) on the server of `url`, unless it exists."""
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def _reset_postgres(url: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()


@pytest.fixture(scope="session")
async def connection_pool(migrated_database: str):
    """One connection pool for the whole session (the tests share one event loop): each app a test runs
    holds it instead of opening its own, and the tests' own statements run on it too. Without it the
    PostgreSQL pass opened a new connection (a new server process) for nearly every statement outside an
    app: about 4,400 connections for 740 tests."""
    from app.database import close_engine, pool_loop, prepare_engine

    await prepare_engine()
    yield
    if pool_loop() is asyncio.get_running_loop():
        await close_engine()


@pytest.fixture
async def clean_database(connection_pool):
    """Every test starts from empty tables (the schema stays), emptied in one transaction: one connection
    and one commit instead of one of each per table."""
    from app.database import pool_loop, prepare_engine
    from app.services import sis_words

    if pool_loop() is not asyncio.get_running_loop():  # a test ran its own event loop and took the pool
        await prepare_engine()
    await empty_every_table()
    sis_words.forget()  # the district's words for SIS values, kept in the process for a minute
    yield


async def empty_every_table() -> None:
    from app.database import transaction
    from app.tables import ALL_TABLES

    async with transaction():
        for table in reversed(ALL_TABLES):
            await table.delete(force=True)
