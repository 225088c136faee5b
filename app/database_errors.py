"""Telling database errors apart by what they are, not by their class's name (issue 9).

By name, any SQLite `OperationalError` (a typo in SQL too) became "The portal is busy" with no traceback,
and any `IntegrityError` (a foreign-key failure too) "That username is taken"; and asyncpg's
`InternalClientError` from a pooled connection dying mid-query was a 500. Three questions, each answered
from the exception chain with the engines' own classes and SQLite's documented messages:
- `unique_violation`: which unique constraint a write hit (None for any other integrity error);
- `database_busy`: the engine's lock or timeout errors (try again in a moment);
- `database_unavailable`: the database went away (refused, reset, shut down, the connection died).
Anything else is a real fault: a 500 whose traceback is logged."""

from __future__ import annotations

import errno
import socket
import sqlite3
from collections.abc import Iterator

from asyncpg import exceptions as pg

# SQLite's result codes SQLITE_BUSY / SQLITE_LOCKED ("database is locked", "database table is locked").
_SQLITE_BUSY = ("database is locked", "database table is locked", "database schema is locked")
# SQLITE_CANTOPEN, SQLITE_IOERR, SQLITE_FULL, SQLITE_READONLY: the file went away or cannot be written.
_SQLITE_UNAVAILABLE = ("unable to open database file", "disk i/o error", "database or disk is full",
                       "attempt to write a readonly database")
# The network to the database server failing (a file missing, say, is a real fault, not an outage).
_NETWORK_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE, errno.ENOTCONN,
                   errno.ETIMEDOUT, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ENETDOWN, errno.EHOSTDOWN}
_PG_BUSY = (pg.LockNotAvailableError, pg.QueryCanceledError, pg.DeadlockDetectedError, pg.SerializationError,
            pg.TooManyConnectionsError)
_PG_UNAVAILABLE = (pg.PostgresConnectionError, pg.CannotConnectNowError, pg.AdminShutdownError,
                   pg.CrashShutdownError, pg.InternalClientError)


def causes(error: BaseException | None) -> Iterator[BaseException]:
    seen = 0
    while error is not None and seen < 10:
        yield error
        error = error.__cause__ or error.__context__
        seen += 1


def unique_violation(error: BaseException) -> str | None:
    """The unique constraint a write hit: PostgreSQL's constraint name (`user_account_username_key_key`),
    SQLite's `table.column` (`user_account.username_key`); None when it was anything else."""
    for cause in causes(error):
        if isinstance(cause, pg.UniqueViolationError):
            return cause.constraint_name or ""
        if isinstance(cause, sqlite3.IntegrityError) and str(cause).startswith("UNIQUE constraint failed: "):
            return str(cause).removeprefix("UNIQUE constraint failed: ")
    return None


def database_busy(error: BaseException) -> bool:
    for cause in causes(error):
        if isinstance(cause, _PG_BUSY):
            return True
        if isinstance(cause, sqlite3.OperationalError) and str(cause).lower().startswith(_SQLITE_BUSY):
            return True
    return False


def database_unavailable(error: BaseException) -> bool:
    for cause in causes(error):
        if isinstance(cause, _PG_UNAVAILABLE):
            return True
        if isinstance(cause, pg.InterfaceError) and "connection" in str(cause) and "closed" in str(cause):
            return True  # "cannot perform operation: connection is closed"
        if isinstance(cause, (ConnectionError, TimeoutError, socket.gaierror)):
            return True  # refused, reset, broken pipe; a connect that timed out; the host's name unresolved
        if isinstance(cause, OSError) and cause.errno in _NETWORK_ERRNOS:
            return True  # no route to the host, ...
        if isinstance(cause, sqlite3.OperationalError) and str(cause).lower().startswith(_SQLITE_UNAVAILABLE):
            return True
    return False
