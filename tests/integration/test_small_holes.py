"""Issue 9, item 8: the smaller holes, each with its test."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

from tests.conftest import PROJECT_ROOT
from tests.integration import leaks
from tests.integration.district import PASSWORD, make_account
from tests.integration.portal import running_portal


async def test_logout_deletes_the_host_session_cookie_with_secure(database, mailbox, district, monkeypatch):
    """A browser ignores a `__Host-` Set-Cookie without Secure, deletion included: the dead cookie stayed."""
    from app import create_app
    from app.settings import get_settings

    await make_account(district.guardian("sam"), "SamPark")
    monkeypatch.setenv("HOMEROOM_PUBLIC_URL", "https://portal.test")
    get_settings.cache_clear()
    try:
        settings = dataclasses.replace(get_settings(), smtp_url=None)
        async with running_portal(create_app(settings)) as browser:
            browser.client.base_url = "https://portal.test"
            await browser.get("/")
            token = browser.cookie("__Host-csrftoken")
            response = await browser.client.post("/", data={"username": "SamPark", "password": PASSWORD,
                                                            "_csrf_token": token})
            assert response.status_code == 303
            leaks.remember(browser.cookie("__Host-session"), leaks.SESSION)
            await browser.get("/home")
            response = await browser.client.post("/logout", data={"_csrf_token": browser.cookie("__Host-csrftoken")})
            assert response.status_code == 303
            deletions = [c for c in response.headers.get_list("set-cookie") if c.startswith("__Host-")]
            assert {c.split("=")[0] for c in deletions} == {"__Host-session", "__Host-csrftoken"}
            for cookie in deletions:
                attributes = [a.strip().lower() for a in cookie.split(";")]
                assert "secure" in attributes and "path=/" in attributes and "max-age=0" in attributes, cookie
            assert browser.cookie("__Host-session") is None  # the client (like a browser) dropped it
    finally:
        get_settings.cache_clear()


def test_homeroom_demo_refuses_to_run_in_production(tmp_path):
    """It seeded an admin with a published password."""
    database = tmp_path / "prod.sqlite3"
    # A production environment the settings accept (https, SMTP, secrets): only the command refuses.
    env = {**os.environ, "HOMEROOM_ENV": "production", "DATABASE_URL": f"sqlite:///{database}",
           "HOMEROOM_PUBLIC_URL": "https://portal.example.org", "HOMEROOM_ALLOWED_HOSTS": "portal.example.org"}
    result = subprocess.run([sys.executable, "-m", "app.cli", "demo"], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "refuses" in result.stderr and "production" in result.stderr
    assert not database.exists()  # not even migrated


def _comparable_headers(response) -> dict:
    return {k: v for k, v in response.headers.items() if k not in ("date", "set-cookie")}


async def test_head_answers_like_get_without_the_body_on_every_page(portal, district):
    """Uptime monitors use HEAD; every page answered 405 without Allow."""
    await make_account(district.guardian("sam"), "SamPark")
    paths = [route.path for route in portal.app.routes
             if "GET" in route.methods and "{" not in route.path and not route.path.startswith("/static")]
    assert "/" in paths and "/healthz" in paths
    for signed_in in (False, True):
        if signed_in:
            await portal.log_in("SamPark", PASSWORD)
        for path in paths:
            get = await portal.client.get(path)
            head = await portal.client.head(path)
            assert head.status_code == get.status_code, path
            assert head.content == b"", path
            assert _comparable_headers(head) == _comparable_headers(get), path


async def test_a_method_an_address_does_not_take_gets_405_with_allow(portal):
    response = await portal.client.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]
    put = await portal.client.put("/forgot-password")
    assert put.status_code == 405 and "GET" in put.headers["allow"]


async def test_a_password_typed_into_the_username_box_is_kept_nowhere(portal, second_portal, district):
    """Neither the audit log, nor the throttle table, nor the audit page keep what was typed when it names no
    account: only a keyed digest, which still tells repeated attempts apart."""
    from app.tables import AuditEvent, RateCounter
    from tests.integration.test_staff_console import STAFF_PASSWORD, staff_account

    typed = ["Tr0ub4dor&3-horse", "CorrectHorse99"]  # a password that is no username, and one that could be
    for text in typed:  # (the login form shows the username box back to the one who typed it: not a leak)
        for _ in range(2):
            response = await portal.log_in(text, "whatever was in the password box")
            assert response.status_code == 422
    details = [r["detail"] for r in await AuditEvent.select(AuditEvent.detail)]
    keys = [r["key"] for r in await RateCounter.select(RateCounter.key)]
    for text in typed:
        assert not any(text.lower() in d.lower() for d in details), details
        assert not any(text.lower() in k.lower() for k in keys), keys
    failed = [d for d in details if d.startswith("unknown username ")]
    assert len(failed) == 4 and len(set(failed)) == 2  # the same text gives the same digest
    await staff_account("DistrictAdmin", "district-admin", None)
    await second_portal.log_in("DistrictAdmin", STAFF_PASSWORD)
    page = await second_portal.get("/staff/audit?action=login.failed")
    assert page.status_code == 200 and "unknown username" in page.text
    for text in typed:
        assert text.lower() not in page.text.lower()


async def test_the_throttle_table_keeps_no_typed_address_or_student_number(portal, district):
    from app.tables import RateCounter
    from tests.integration.test_key_request import details

    await portal.post("/forgot-username", {"email": "Nobody.Here@example.org"})
    await portal.post("/request-key", details(student_number="S-NOPE-123"))
    keys = " ".join(r["key"] for r in await RateCounter.select(RateCounter.key)).lower()
    assert "username-reminder:" in keys and "key-request:student:" in keys
    assert "nobody.here" not in keys and "s-nope-123" not in keys
