"""Issue 9, item 7: database errors are told apart by what they are (app/database_errors.py), with real
errors from the engine under test: a typo in SQL or a foreign-key failure is a real fault (a 500 with its
traceback in the log), a unique constraint is named, and only the engine's lock/timeout errors and a
database that went away are the friendly 503 with Retry-After."""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import timedelta

import pytest

from tests.conftest import ON_POSTGRES


async def real_error(coroutine) -> BaseException:
    try:
        await coroutine
    except Exception as error:  # noqa: BLE001 - the point is to capture what the engine raises
        return error
    raise AssertionError("no error")


async def syntax_error() -> BaseException:
    from app.tables import DistrictSetting

    return await real_error(DistrictSetting.raw("SELEC name FROM district_setting"))


async def foreign_key_error(clock) -> BaseException:
    from app.tables import WebSession

    return await real_error(WebSession.insert(WebSession(token_hash="f" * 64, account=999999,
                                                         expires_at=clock.moment + timedelta(hours=1))))


async def busy_error() -> BaseException:
    """A write lock another connection holds, met by a statement that does not wait."""
    if ON_POSTGRES:
        import asyncpg

        url = os.environ["DATABASE_URL"]
        holder, waiter = await asyncpg.connect(url), await asyncpg.connect(url)
        try:
            transaction = holder.transaction()
            await transaction.start()
            await holder.execute("LOCK TABLE district_setting IN ACCESS EXCLUSIVE MODE")
            await waiter.execute("SET lock_timeout = '50ms'")
            error = await real_error(waiter.execute("SELECT * FROM district_setting"))
            await transaction.rollback()
            return error
        finally:
            await holder.close()
            await waiter.close()
    path = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
    holder = sqlite3.connect(path, timeout=0, isolation_level=None)
    waiter = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        try:
            waiter.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            return error
        raise AssertionError("no lock")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        waiter.close()


async def test_errors_are_classified_by_what_they_are(database, district, clock):
    from app.database_errors import database_busy, database_unavailable, unique_violation
    from app.tables import WebSession

    typo = await syntax_error()
    foreign_key = await foreign_key_error(clock)
    await WebSession.insert(WebSession(token_hash="d" * 64, expires_at=clock.moment + timedelta(hours=1)))
    duplicate = await real_error(WebSession.insert(WebSession(token_hash="d" * 64,
                                                              expires_at=clock.moment + timedelta(hours=1))))
    busy = await busy_error()
    for error in (typo, foreign_key):
        assert not database_busy(error) and not database_unavailable(error) and unique_violation(error) is None, error
    assert "token_hash" in unique_violation(duplicate)
    assert not database_busy(duplicate) and not database_unavailable(duplicate)
    assert database_busy(busy) and not database_unavailable(busy), busy
    assert database_unavailable(ConnectionRefusedError(111, "Connection refused"))
    assert not database_unavailable(FileNotFoundError(2, "No such file", "templates/x.html"))


@pytest.fixture
def failing_page(monkeypatch):
    """Every page reads the district's preferences: make that read raise the given (real) error."""
    from app.web import rendering

    def fail_with(error: BaseException) -> None:
        async def load_preferences():
            raise error
        monkeypatch.setattr(rendering, "load_preferences", load_preferences)

    return fail_with


async def test_a_typo_in_sql_is_a_500_with_its_traceback_in_the_log(portal, failing_page, caplog):
    failing_page(await syntax_error())
    response = await portal.get("/forgot-password")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    [record] = [r for r in caplog.records if r.name == "homeroom.web" and r.levelno == logging.ERROR]
    assert record.exc_info and "SELEC" in record.exc_text


async def test_a_foreign_key_failure_is_a_500_not_the_portal_being_busy(portal, failing_page, clock, caplog):
    failing_page(await foreign_key_error(clock))
    response = await portal.get("/forgot-password")
    assert response.status_code == 500
    assert any(r.exc_info for r in caplog.records if r.name == "homeroom.web")


async def test_the_engines_lock_errors_are_the_friendly_503(portal, failing_page, caplog):
    failing_page(await busy_error())
    response = await portal.get("/forgot-password")
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert "The portal is busy" in response.text
    assert not any(r.exc_info for r in caplog.records if r.name == "homeroom.web")


async def test_a_foreign_key_failure_creating_an_account_is_not_called_a_taken_username(database, district, clock,
                                                                                       monkeypatch):
    from app.services import activation
    from tests.integration.district import PASSWORD, issue_key, key_id

    error = await foreign_key_error(clock)

    async def create(*args, **kwargs):
        raise error

    monkeypatch.setattr(activation, "_create_account", create)
    the_key = await key_id(await issue_key(district.guardian("rosa")))
    with pytest.raises(type(error)):
        await activation.create_account_with_key(the_key, "RosaR", PASSWORD, PASSWORD, ip="127.0.0.1",
                                                 user_agent="", previous_session=None)
