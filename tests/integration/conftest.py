"""Integration fixtures: a real SMTP server, a clean database per test, a fake clock, and an HTTP client
that speaks to the whole app (middleware, CSRF, sessions) through `AsyncTestClient`.

Every response body, every received email and every captured log line is scanned for the fixtures'
secrets (docs/quality.md §4): see tests/integration/leaks.py.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta, timezone

import pytest
import httpx

from tests.conftest import SMTP_PORT
from tests.integration import leaks
from tests.integration.portal import BASE_URL, Portal, running_portal
from tests.mailbox import Mailbox, SmtpServer, deliver_outbox

# A Tuesday, 10:00 in the district's time zone (America/New_York).
START = datetime(2026, 3, 10, 14, 0, tzinfo=timezone.utc)


class FakeClock:
    """The portal's clock for a test: starts at START and moves only when the test says so."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment

    def set(self, moment: datetime) -> None:
        self.moment = moment


@pytest.fixture(scope="session")
def smtp_server():
    server = SmtpServer(SMTP_PORT)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(smtp_server: SmtpServer) -> Mailbox:
    smtp_server.start()  # a test may have stopped it to play a relay that is down
    smtp_server.mailbox.clear()
    return smtp_server.mailbox


@pytest.fixture
def deliver(mailbox: Mailbox):
    """`await deliver()` runs the portal's sender and returns the messages the SMTP server newly received."""

    async def run():
        received = await deliver_outbox(mailbox)
        for mail in received:
            leaks.scan_email(mail)
        return received

    return run


@pytest.fixture(autouse=True)
def clock():
    from app import clock as app_clock

    fake = FakeClock(START)
    app_clock.set_clock(fake)
    yield fake
    app_clock.set_clock(None)


@pytest.fixture(autouse=True)
def no_secrets_leak(caplog: pytest.LogCaptureFixture):
    """After each test: no fixture secret in any response body, email or log record (docs/quality.md §4)."""
    caplog.set_level(logging.INFO)
    leaks.start_test()
    yield
    # At teardown caplog.records holds only the teardown's records: read the setup's and the test's.
    for record in caplog.get_records("setup") + caplog.get_records("call"):
        if record.name.startswith(("mail.log", "httpx")):  # the test's own SMTP server and HTTP client
            continue
        text = record.getMessage() + (record.exc_text or "")
        leaks.scan_text(text, where=f"log record {record.name}")
    leaks.assert_no_leaks()


@pytest.fixture
async def database(clean_database):
    yield


def app_for_tests():
    """The real app. The in-process sender is left off so each test decides when mail goes out (with
    `deliver`); test_outbox.py runs the app with its sender on."""
    from app import create_app
    from app.settings import get_settings

    return create_app(dataclasses.replace(get_settings(), smtp_url=None))


_SHARED_APPS: dict = {}


def shared_app_for_tests():
    """`app_for_tests()` built once per settings and shared by the tests that take the `portal` fixture:
    building the app costs about a second (Litestar inspects every handler's signature), paid once instead
    of in every test. Each test still runs the app's lifespan itself (engine, pool, maintenance) and has a
    client and cookies of its own; the app holds nothing else between requests. A test that changes what
    create_app reads (a patched module, other settings) builds its own app with app_for_tests()."""
    from app.settings import get_settings

    settings = dataclasses.replace(get_settings(), smtp_url=None)
    if settings not in _SHARED_APPS:
        _SHARED_APPS[settings] = app_for_tests()
    return _SHARED_APPS[settings]


@pytest.fixture
async def portal(database, mailbox) -> Portal:
    async with running_portal(shared_app_for_tests()) as browser:
        yield browser


@pytest.fixture
async def second_portal(portal: Portal) -> Portal:
    """Another browser on the same app and database: for sessions that must end elsewhere."""
    transport = httpx.ASGITransport(app=portal.app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield Portal(client)


@pytest.fixture
async def district(database):
    from tests.integration.district import build_district

    return await build_district()


# Fixtures several test files use (defined here, so no test file imports another's fixtures).

@pytest.fixture
async def ana_on_file(district):
    """Ana Rivera's birth date and the digest of her SSN's last four, as the SIS import leaves them."""
    from app.rules.ssn import ssn_digest
    from app.settings import get_settings
    from app.tables import Person
    from tests.integration.district import SSN
    from tests.integration.test_key_request import BIRTH_DATE

    await Person.update({Person.birth_date: BIRTH_DATE,
                         Person.ssn_last4_hash: ssn_digest(get_settings().ssn_pepper, SSN[-4:])}).where(
        Person.id == district.students["ana"].id)
    return district


@pytest.fixture
async def maple(district) -> int:
    """School staff at Maple Street Elementary (Ana and Cleo's school; Benito and Dara are at Oak Ridge)."""
    from tests.integration.test_staff_console import staff_account

    return await staff_account("MapleOffice", "school-staff", "sch-maple")


@pytest.fixture
async def admin(district) -> int:
    from tests.integration.test_staff_console import staff_account

    return await staff_account("DistrictAdmin", "district-admin", None)
