"""Issue 13, speed: home runs at most 6 statements for any number of children (it ran 15 for three: a
sections query and an audit insert per child, the preferences read twice); now 4, and 3 on PostgreSQL, where
the audit insert goes with the last read. Counted at the engine, every statement the request runs, the
session's read included."""

from __future__ import annotations

import pytest

from tests.integration.district import PASSWORD
from tests.integration.portal import page_text
from tests.integration.test_records import school_year  # noqa: F401

def most_statements(on_sqlite: int) -> int:
    """On PostgreSQL a page's audit insert is part of its last read (app/services/audit.py): one fewer."""
    from app.database import is_postgres

    return on_sqlite - 1 if is_postgres() else on_sqlite


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement sent to the database: on SQLite at Piccolo's engine (app.database.fetch goes through it
    there), on PostgreSQL at asyncpg's connection, which Piccolo and app.database.fetch both send through."""
    from asyncpg.connection import Connection
    from piccolo.engine.sqlite import SQLiteEngine

    ran: list[str] = []
    real_run = SQLiteEngine.run_querystring

    async def counting_run(self, querystring, *args, **kwargs):
        ran.append(str(querystring).split()[0])
        return await real_run(self, querystring, *args, **kwargs)

    monkeypatch.setattr(SQLiteEngine, "run_querystring", counting_run)
    for method in ("fetch", "execute"):
        real = getattr(Connection, method)

        async def counting(self, query, *args, _real=real, **kwargs):
            ran.append(query.split()[0])
            return await _real(self, query, *args, **kwargs)

        monkeypatch.setattr(Connection, method, counting)
    return ran


async def link(guardian, student) -> None:
    from app.tables import GuardianLink

    await GuardianLink(guardian=guardian.id, student=student.id).save()


@pytest.mark.parametrize("children", [1, 2, 3])
async def test_home_runs_at_most_six_statements_for_any_number_of_children(portal, district, school_year,  # noqa: F811
                                                                           statements, clock, children):
    from datetime import datetime, timezone

    from app.tables import AuditEvent

    clock.set(datetime(2026, 3, 10, 14, 0, tzinfo=timezone.utc))  # a Tuesday in term: classes today
    rosa = district.guardian("rosa")  # Ana and Benito's mother
    if children == 1:
        from app.tables import GuardianLink

        await GuardianLink.delete().where((GuardianLink.guardian == rosa.id)
                                          & (GuardianLink.student == district.students["ben"].id))
    if children == 3:
        await link(rosa, district.students["cleo"])
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    await portal.get("/home")  # the first visit after signing in writes the session's activity: not counted
    clock.advance(seconds=5)
    views_before = await AuditEvent.count().where(AuditEvent.action == "records.viewed")
    statements.clear()
    page = await portal.get("/home")
    assert page.status_code == 200
    assert len(statements) <= most_statements(4), statements
    text = page_text(page.text)
    names = {"Ana Rivera", "Benito Rivera", "Cleo Park"}
    shown = {name for name in names if name in text}
    assert len(shown) == children
    assert await AuditEvent.count().where(AuditEvent.action == "records.viewed") == views_before + children
    assert "Today's classes" in text


async def test_a_sections_page_runs_at_most_five_statements(portal, district, school_year, statements):  # noqa: F811
    import re

    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    grades = await portal.get(f"/students/{district.students['ana'].public_id}/grades")
    section = re.search(r'href="(/students/[^"]+/grades/[^"?]+)', grades.text).group(1)
    statements.clear()
    page = await portal.get(section)
    assert page.status_code == 200 and "Out of" in page_text(page.text)
    assert len(statements) <= most_statements(5), statements  # it was 9


async def test_a_static_file_sets_no_cookie_and_reads_no_session(portal, district, statements):
    import re

    page = await portal.get("/")
    stylesheet = re.search(r'href="(/static/css/site\.css\?v=\w+)"', page.text).group(1)
    portal.client.cookies.clear()
    statements.clear()
    response = await portal.get(stylesheet)
    assert response.status_code == 200
    assert "set-cookie" not in response.headers  # no CSRF token minted for a file
    assert statements == []  # no session, no preferences
