"""Applying the migrations in piccolo_migrations/ once, however many machines start at the same deploy
(issue 15 item 5).

Piccolo runs in a child process (its own engine from `piccolo_conf`) while this process holds a lock that
every other `homeroom migrate`/`serve` waits for: a PostgreSQL advisory lock (session-level, on a connection
of its own, released when the connection closes, so a killed process never leaves it held) or, for SQLite,
an exclusive `flock` on a file beside the database (SQLite lives on one machine). The second to arrive then
finds nothing left to apply.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import subprocess
import sys
from contextlib import contextmanager
from typing import Iterator

from app.paths import PACKAGE_DIR
from app.settings import Settings

# pg_advisory_lock takes a 64-bit key: "homeroom" in ASCII, so no other application picks it by chance.
ADVISORY_LOCK_KEY = int.from_bytes(b"homeroom", "big") & 0x7FFF_FFFF_FFFF_FFFF


def apply_migrations(settings: Settings) -> subprocess.CompletedProcess:
    """Run every migration not yet applied, under the lock. Returns Piccolo's finished process (its
    output is the caller's to show on failure)."""
    with _migration_lock(settings):
        env = {**os.environ, "PICCOLO_CONF": "piccolo_conf", "DATABASE_URL": settings.database_url}
        return subprocess.run(
            [sys.executable, "-m", "piccolo.main", "migrations", "forwards", "homeroom"],
            cwd=PACKAGE_DIR.parent, env=env, capture_output=True, text=True,
            # A SQLite database it creates (and so its -wal and -shm files, which SQLite makes alike) is readable
            # by its owner only: it holds children's records (the SSNs only as keyed digests).
            umask=0o077,
        )


def applied_in(output: str) -> list[str]:
    """The migrations a Piccolo `forwards` run applied, by name, from its output ("- <name> [forwards]... ok!")."""
    import re

    return re.findall(r"^\s*- (\S+) \[forwards\]\.\.\. ok", output, re.MULTILINE)


def failure_in(output: str) -> str:
    """What a failed Piccolo `forwards` run said went wrong, on one line: the migration it stopped at and the
    line after Piccolo's "The command failed." (its usage text, printed after, is left out)."""
    import re

    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in output.splitlines()]
    lines = [line for line in lines if line]
    for number, line in enumerate(lines):
        if line.endswith("The command failed."):
            stopped = re.match(r"- (\S+) \[forwards\]", line)
            reason = lines[number + 1] if number + 1 < len(lines) else "no reason given"
            return f"{stopped[1]}: {reason}" if stopped else reason
    return lines[0] if lines else "no output"


@contextmanager
def _migration_lock(settings: Settings) -> Iterator[None]:
    if settings.uses_postgres:
        with _advisory_lock(settings.database_url):
            yield
        return
    lock_path = settings.sqlite_path + ".migrate-lock"
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed, or the process dies
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _advisory_lock(database_url: str) -> Iterator[None]:
    import asyncpg

    loop = asyncio.new_event_loop()
    connection = loop.run_until_complete(asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1)))
    try:
        loop.run_until_complete(connection.execute("SELECT pg_advisory_lock($1)", ADVISORY_LOCK_KEY))
        yield
    finally:
        loop.run_until_complete(connection.close())  # ends the session, and with it the lock
        loop.close()
