"""`homeroom backup PATH` / `homeroom restore PATH` for SQLite (issue 15 item 6).

The backup is SQLite's online backup API: a consistent copy taken while the portal keeps serving (writers
wait a moment, readers never). A restore checks that the file is a sound Homeroom database, then copies it
over the live one with the same API, so a server that still has the file open sees the restored database,
never a half-copied one. PostgreSQL is backed up with its own tools (`pg_dump -Fc`, `pg_restore`): the
README's "Backups" section says how.

A backup holds the SSN digests, password hashes and activation-key digests, but not what makes them useful:
HOMEROOM_SSN_PEPPER and HOMEROOM_SECRET_KEY live in the environment, kept apart from the backups.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from app.new_files import PathWrong, check_new_file


class BackupError(Exception):
    """The backup or restore was refused; nothing was written. The message says why."""


class NoDatabase(BackupError):
    """The live database (or, for a restore, its folder) is not where DATABASE_URL points."""


def backup_sqlite(database: Path, target: Path) -> int:
    """Copy the live database to `target` (a new file, never an existing one). Returns the copy's size in bytes.

    The copy is one self-contained file: the live database is in WAL mode, and a copy left in WAL mode would
    grow -wal and -shm files beside it whenever it is opened (even read-only, which leaves them behind), so
    the copy is switched to SQLite's default rollback journal before it is closed."""
    check_new_file(target, option="PATH", example="homeroom.sqlite3", replace_flag=None)
    if not database.exists():
        raise NoDatabase(f"no database at {database} (DATABASE_URL): nothing to back up")
    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))  # new, never one that appeared meanwhile
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as source, \
                closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
    except BaseException:
        target.unlink(missing_ok=True)  # no half-written backup left to be mistaken for one
        raise
    return target.stat().st_size


def _read_only(backup: Path) -> str:
    """The backup opened for reading only, as a file nobody writes (SQLite's immutable): a backup in WAL mode
    (as older `homeroom backup`s wrote them) gets no -wal and -shm files left beside it."""
    return f"file:{backup}?mode=ro&immutable=1"


def restore_sqlite(backup: Path, database: Path, *, replace: bool) -> int:
    """Copy `backup` over the database. Refuses a file that is not a sound Homeroom database, and an existing
    database unless `replace`. Returns the number of migrations the backup had applied."""
    if not backup.is_file():
        raise PathWrong(f"no backup at {backup}" + (" (it is a folder)" if backup.is_dir() else ""))
    if not database.parent.is_dir():
        raise NoDatabase(f"the database's folder {database.parent} does not exist (DATABASE_URL): create it "
                          "first")
    try:
        with closing(sqlite3.connect(_read_only(backup), uri=True)) as source:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{backup} is damaged (SQLite's integrity check failed)")
            migrations = source.execute("SELECT count(*) FROM migration").fetchone()[0]
    except sqlite3.DatabaseError as problem:
        raise BackupError(f"{backup} is not a Homeroom SQLite backup ({problem})") from None
    if database.exists() and database.stat().st_size > 0 and not replace:
        raise BackupError(f"{database} already holds a database: add --replace to overwrite it with the backup")
    if not database.exists():  # a new database is its owner's only, as `homeroom migrate` makes one
        os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    with closing(sqlite3.connect(_read_only(backup), uri=True)) as source, \
            closing(sqlite3.connect(database)) as live:
        source.backup(live)
    return migrations
