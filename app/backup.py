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

import sqlite3
from contextlib import closing
from pathlib import Path


class BackupError(Exception):
    """The backup or restore was refused; nothing was written. The message says why."""


class BackupPathWrong(BackupError):
    """The PATH typed names no such file or folder (a usage error: fix the command)."""


def _new_file_path(target: Path) -> None:
    if target.is_dir():
        raise BackupPathWrong(f"{target} is a folder: give the new file's name, e.g. {target / 'homeroom.sqlite3'}")
    if not target.parent.is_dir():
        raise BackupPathWrong(f"the folder {target.parent} does not exist: create it first or choose another PATH")


def backup_sqlite(database: Path, target: Path) -> int:
    """Copy the live database to `target` (a new file). Returns the copy's size in bytes."""
    _new_file_path(target)
    if not database.exists():
        raise BackupError(f"no database at {database}")
    if target.exists():
        raise BackupError(f"{target} already exists: back up to a new file")
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as source, \
            closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    return target.stat().st_size


def restore_sqlite(backup: Path, database: Path, *, replace: bool) -> int:
    """Copy `backup` over the database. Refuses a file that is not a sound Homeroom database, and an existing
    database unless `replace`. Returns the number of migrations the backup had applied."""
    if not backup.is_file():
        raise BackupPathWrong(f"no backup at {backup}" + (" (it is a folder)" if backup.is_dir() else ""))
    if not database.parent.is_dir():
        raise BackupError(f"the database's folder {database.parent} does not exist (DATABASE_URL): create it "
                          "first")
    try:
        with closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as source:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{backup} is damaged (SQLite's integrity check failed)")
            migrations = source.execute("SELECT count(*) FROM migration").fetchone()[0]
    except sqlite3.DatabaseError as problem:
        raise BackupError(f"{backup} is not a Homeroom SQLite backup ({problem})") from None
    if database.exists() and database.stat().st_size > 0 and not replace:
        raise BackupError(f"{database} already holds a database: add --replace to overwrite it with the backup")
    with closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as source, \
            closing(sqlite3.connect(database)) as live:
        source.backup(live)
    return migrations
