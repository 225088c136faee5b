"""`/healthz` and `/readyz` for load balancers (issue 15 item 3): any Host, no session, nothing revealed."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("host", ["portal.test", "10.0.0.5:8000", "127.0.0.1:8600", "evil.example"])
async def test_healthz_answers_whatever_host_the_probe_sends_and_sets_no_cookie(portal, host):
    from app.tables import WebSession

    response = await portal.get("/healthz", headers={"Host": host})
    assert response.status_code == 200 and response.text == "ok\n"
    assert "set-cookie" not in response.headers
    assert response.headers["cache-control"] == "no-store"
    assert await WebSession.count() == 0


async def test_other_pages_still_refuse_a_host_that_is_not_allowed(portal):
    assert (await portal.get("/", headers={"Host": "evil.example"})).status_code == 400
    assert (await portal.get("/activate", headers={"Host": "10.0.0.5:8000"})).status_code == 400


async def test_readyz_is_ok_when_the_database_is_migrated(portal):
    response = await portal.get("/readyz", headers={"Host": "10.0.0.5"})
    assert response.status_code == 200 and response.text == "ok\n"


async def test_readyz_is_not_ready_while_a_migration_is_missing(portal):
    from app.tables import OutboxEmail

    newest = (await OutboxEmail.raw("SELECT name, ran_on FROM migration ORDER BY name DESC LIMIT 1"))[0]
    await OutboxEmail.raw("DELETE FROM migration WHERE name = {}", newest["name"])
    try:
        response = await portal.get("/readyz")
        assert response.status_code == 503 and response.text == "not ready: migrations\n"
        assert response.headers["retry-after"]
    finally:
        await OutboxEmail.raw("INSERT INTO migration (name, app_name, ran_on) VALUES ({}, 'homeroom', {})",
                              newest["name"], newest["ran_on"])


async def test_readyz_is_not_ready_when_mail_has_been_stuck_for_an_hour(portal, clock):
    from datetime import timedelta

    from app.services.health import OUTBOX_STUCK_LIMIT
    from app.tables import OutboxEmail

    due = clock() - timedelta(hours=2)
    await OutboxEmail.insert(*[OutboxEmail(kind="password-changed", to_address=f"p{n}@example.org", subject="",
                                           status="queued", created_at=due, next_attempt_at=due)
                               for n in range(OUTBOX_STUCK_LIMIT)])
    response = await portal.get("/readyz")
    assert response.status_code == 503 and response.text == "not ready: outbox\n"
