"""What the sender does with a message on its way (app/mail/sender.py): RFC 8058 one-click unsubscribe
headers (issue 12 item 4, for the alerts and digests), international domains as IDNA when the relay lacks
SMTPUTF8 (issue 13 item 11), the demo's dev mailbox, and mail kept apart from the web layer (issue 15
item 10)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT, _free_port
from tests.mailbox import SmtpServer

TYPED = "maría.lópez@bücher.example"
ASCII_LOCAL = "maria@bücher.example"
PUNYCODE = "maria@xn--bcher-kva.example"


async def queue(to: str, **options) -> None:
    from app import clock
    from app.database import transaction
    from app.mail.outbox import enqueue_email

    async with transaction():
        await enqueue_email("password-changed", to, {
            "portal_name": "Portal", "district_name": "District", "username": "maria",
            "help_phone": "+14048021000", "when": clock.now(), "time_zone": "America/New_York"}, **options)


async def test_one_click_unsubscribe_headers_go_with_the_message(database, deliver):
    await queue("rosa@example.org", list_unsubscribe="https://portal.test/unsubscribe/abc",
                list_unsubscribe_mailto="unsubscribe@portal.test")
    await queue("sam@example.org")  # without: no headers
    with_headers, without = await deliver()
    assert with_headers.message["List-Unsubscribe"].strip() == (
        "<https://portal.test/unsubscribe/abc>, <mailto:unsubscribe@portal.test>")
    assert with_headers.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert without.message["List-Unsubscribe"] is None and without.message["List-Unsubscribe-Post"] is None


async def test_enqueue_refuses_what_it_cannot_keep(database):
    from app.mail.outbox import enqueue_email

    with pytest.raises(ValueError):
        await enqueue_email("no-such-kind", "a@example.org", {"portal_name": "P"})
    with pytest.raises(ValueError):
        await queue("a@example.org", list_unsubscribe="javascript:alert(1)")
    with pytest.raises(TypeError):
        await enqueue_email("password-changed", "a@example.org", {"portal_name": object()})


@pytest.fixture
def relay(request):
    server = SmtpServer(_free_port(), smtputf8=request.param)
    server.start()
    yield server
    server.stop()


def over(relay: SmtpServer):
    from app.settings import get_settings

    return dataclasses.replace(get_settings(), smtp_url=f"smtp://127.0.0.1:{relay.port}")


@pytest.mark.parametrize("relay", [False], indirect=True, ids=["plain relay"])
async def test_an_international_domain_goes_as_idna_when_the_relay_lacks_smtputf8(database, relay):
    from app.services.outgoing_mail import deliver_due
    from app.tables import OutboxEmail

    await queue(ASCII_LOCAL)
    assert await deliver_due(over(relay)) == 1
    [mail] = relay.mailbox.messages
    assert mail.envelope_to == (PUNYCODE,)
    assert str(mail.message["To"]) == PUNYCODE
    [row] = await OutboxEmail.select(OutboxEmail.to_address, OutboxEmail.status)
    assert row == {"to_address": ASCII_LOCAL, "status": "sent"}  # kept as typed, for display


@pytest.mark.parametrize("relay", [True], indirect=True, ids=["SMTPUTF8 relay"])
async def test_with_smtputf8_the_address_goes_as_typed(database, relay):
    from app.services.outgoing_mail import deliver_due

    await queue(TYPED)
    assert await deliver_due(over(relay)) == 1
    [mail] = relay.mailbox.messages
    assert mail.envelope_to == (TYPED,)
    assert str(mail.message["To"]) == TYPED


@pytest.mark.parametrize("relay", [False], indirect=True, ids=["plain relay"])
async def test_a_non_ascii_mailbox_name_without_smtputf8_fails_plainly_and_is_not_retried(database, relay):
    from app.services.outgoing_mail import deliver_due
    from app.tables import OutboxEmail

    await queue(TYPED)
    await queue("sam@example.org")
    assert await deliver_due(over(relay)) == 2
    assert [m.to for m in relay.mailbox.messages] == ["sam@example.org"]  # the next one still goes
    row = await OutboxEmail.select(OutboxEmail.status, OutboxEmail.last_error, OutboxEmail.payload).where(
        OutboxEmail.to_address == TYPED).first()
    assert row["status"] == "failed" and "SMTPUTF8" in row["last_error"] and row["payload"] is None


async def test_in_demo_mode_without_a_relay_mail_lands_in_the_dev_mailbox(database, portal, district):
    from app.services import dev_mailbox
    from app.services.outgoing_mail import deliver_due
    from app.settings import get_settings
    from app.tables import DevMail, OutboxEmail
    from tests.integration.district import make_account

    await make_account(district.guardian("sam"), "SamPark")
    await portal.post("/forgot-username", {"email": "sam.park@example.org"})
    without_relay = dataclasses.replace(get_settings(), smtp_url=None)
    assert await deliver_due(without_relay) == 0  # tests and production: no relay, no delivery
    assert await DevMail.count() == 0
    demo = dataclasses.replace(without_relay, env="demo")
    assert await deliver_due(demo) == 2  # the request, then its email
    [listed] = await dev_mailbox.recent_messages()
    shown = await dev_mailbox.message(listed["id"])
    assert shown["to_address"] == "sam.park@example.org" and "SamPark" in shown["body_text"]
    assert await dev_mailbox.message(2**63) is None  # an id beyond the column: not found, not a 500
    rows = await OutboxEmail.select(OutboxEmail.status, OutboxEmail.payload)
    assert all(r["payload"] is None for r in rows) and {r["status"] for r in rows} == {"done", "sent"}


def test_mail_does_not_import_the_web_layer():
    """Issue 15 item 10: app/mail/* -> app/templating.py no longer reaches app/web/."""
    code = ("import json, sys; import app.mail.outbox, app.mail.sender, app.services.outgoing_mail; "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('app.web'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


async def test_a_relay_that_cannot_be_reached_ends_the_round_after_one_try(database, smtp_server, deliver):
    """150,000 digests queued while the relay is down cost one connection attempt a round, not one each."""
    from app.tables import OutboxEmail

    for number in range(3):
        await queue(f"parent{number}@example.org")
    smtp_server.stop()
    assert await deliver() == []
    attempts = [r["attempts"] for r in await OutboxEmail.select(OutboxEmail.attempts).order_by(OutboxEmail.id)]
    assert attempts == [1, 0, 0]
    smtp_server.start()
    assert len(await deliver()) == 2  # the two not tried yet; the first waits out its back-off
