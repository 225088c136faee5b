"""Issue 9, item 1: expired sessions, rate counters and used or expired links are purged, by the server on
a schedule and by `homeroom maintenance`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta

from tests.conftest import PROJECT_ROOT
from tests.integration import leaks
from tests.integration.district import PASSWORD, make_account


async def fill(district, clock, deliver):
    """Live and dead rows of every kind the purge looks at. Reset links are minted by the mail worker when it
    takes up the request (issue 9 item 3), so each request is delivered before the next."""
    from app.services import rate_limits, sessions
    from app.services.recovery import request_password_reset
    from app.services.sign_in import sign_in
    from app.tables import EmailChange

    await make_account(district.guardian("sam"), "SamPark")  # one live session (the factory's)
    await rate_limits.hit("test:ended", clock.moment + timedelta(minutes=1))
    await rate_limits.hit("test:running", clock.moment + timedelta(hours=2))
    await request_password_reset("SamPark", ip="127.0.0.1")  # the first link is superseded by the second
    await deliver()
    await request_password_reset("SamPark", ip="127.0.0.1")
    await deliver()
    now = clock.moment
    await EmailChange.insert(
        EmailChange(person=district.guardian("sam").id, new_email="old@example.org", token_hash="a" * 64,
                    created_at=now, expires_at=now + timedelta(minutes=5)),
        EmailChange(person=district.guardian("sam").id, new_email="new@example.org", token_hash="b" * 64,
                    created_at=now, expires_at=now + timedelta(hours=3)))
    idle = await sign_in("SamPark", PASSWORD, ip="127.0.0.1", user_agent="idle", previous_session=None)
    leaks.remember(idle.session_token, leaks.SESSION)
    clock.advance(minutes=20)
    busy = await sign_in("SamPark", PASSWORD, ip="127.0.0.1", user_agent="busy", previous_session=None)
    leaks.remember(busy.session_token, leaks.SESSION)
    clock.advance(minutes=15)  # the first two sessions are idle past 30 minutes; the busy one is not
    return busy.session_token, sessions


async def test_purge_expired_deletes_exactly_what_can_no_longer_be_used(database, district, clock, deliver):
    from app.services.maintenance import purge_expired
    from app.services.sessions import load_session
    from app.tables import EmailChange, PasswordResetToken, RateCounter

    busy_token, _ = await fill(district, clock, deliver)
    counts = await purge_expired(clock.moment)
    # Rate counters: test:ended, and the login-throttle windows (per client, district-wide) the sign-ins opened.
    assert counts == {"sessions": 2, "rate_counters": 3, "reset_links": 1, "email_links": 1, "audit_events": 0}
    assert (await load_session(busy_token))[0] is not None
    assert [r["key"] for r in await RateCounter.select(RateCounter.key)
            if r["key"].startswith("test:")] == ["test:running"]
    assert await PasswordResetToken.count() == 1
    assert [r["new_email"] for r in await EmailChange.select(EmailChange.new_email)] == ["new@example.org"]
    assert await purge_expired(clock.moment) == {"sessions": 0, "rate_counters": 0, "reset_links": 0,
                                                 "email_links": 0, "audit_events": 0}


async def test_the_audit_log_keeps_everything_unless_the_district_sets_a_retention(database, clock):
    """issue 15 item 7: audit-log retention is a district preference, default keep."""
    from app.services import audit
    from app.services.maintenance import purge_expired
    from app.services.preferences import set_preference
    from app.tables import AuditEvent

    await audit.record("login.failed", detail="long ago")
    clock.advance(days=400)
    await audit.record("login.failed", detail="recent")
    assert (await purge_expired(clock.moment))["audit_events"] == 0
    assert await AuditEvent.count() == 2
    await set_preference("audit_retention_days", "365")
    assert (await purge_expired(clock.moment))["audit_events"] == 1
    assert [r["detail"] for r in await AuditEvent.select(AuditEvent.detail)] == ["recent"]


async def test_the_server_purges_on_a_schedule(database, district, clock, deliver):
    from app.services.maintenance import run_maintenance
    from app.tables import WebSession

    await fill(district, clock, deliver)
    assert await WebSession.count() == 3
    stop = asyncio.Event()
    task = asyncio.create_task(run_maintenance(stop=stop, every=timedelta(seconds=0.05),
                                               first_after=timedelta(seconds=0.05)))
    for _ in range(100):
        await asyncio.sleep(0.05)
        if await WebSession.count() == 1:
            break
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert await WebSession.count() == 1


async def test_the_app_runs_the_schedule_in_its_lifespan(database, mailbox, monkeypatch):
    from app.services import maintenance
    from tests.integration.conftest import app_for_tests
    from tests.integration.portal import running_portal

    started = asyncio.Event()

    async def fake(*, stop):
        started.set()
        await stop.wait()

    monkeypatch.setattr(maintenance, "run_maintenance", fake)
    async with running_portal(app_for_tests()):
        await asyncio.wait_for(started.wait(), timeout=5)


async def test_the_homeroom_maintenance_command_purges(database, district, clock, deliver):
    from app.tables import RateCounter

    await fill(district, clock, deliver)
    # The command runs in its own process on the real clock, long after the fake clock's 2026-03-10.
    result = subprocess.run([sys.executable, "-m", "app.cli", "maintenance"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, env=os.environ.copy(), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Purged:" in result.stdout and "rate counters" in result.stdout
    assert await RateCounter.select(RateCounter.key).where(RateCounter.key.like("test:%")) == []
    assert result.stdout == "Purged: 3 sessions, 5 rate counters, 2 reset links, 2 email links, 0 audit events.\n"
