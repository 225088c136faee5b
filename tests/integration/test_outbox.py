"""Email reliability (docs/design.md §7, docs/quality.md §5): mail is written with the change, waits in the outbox while
the relay is down, and is delivered exactly once when it is back."""

from __future__ import annotations

import asyncio

from tests.integration.district import make_account
from tests.integration.portal import running_portal


async def outbox_rows(kind: str = "password-reset"):
    """The outbox's emails of one kind (the reply's request rows are the worker's, see test_mail_requests)."""
    from app.tables import OutboxEmail

    return await OutboxEmail.select().where(OutboxEmail.kind == kind).order_by(OutboxEmail.id)


async def test_mail_waits_in_the_outbox_while_the_relay_is_down_and_goes_once_it_is_back(
        portal, district, smtp_server, deliver, clock):
    from app.mail.sender import FIRST_RETRY

    await make_account(district.guardian("sam"), "SamPark")
    smtp_server.stop()
    await portal.post("/forgot-password", {"identifier": "SamPark"})
    [request] = await outbox_rows("password-reset-request")
    assert request["attempts"] == 0 and request["sent_at"] is None and request["to_address"] == ""
    assert await outbox_rows() == []  # the worker looks the account up

    assert await deliver() == []
    [request] = await outbox_rows("password-reset-request")
    assert request["status"] == "done" and request["payload"] is None  # handled without the relay
    [row] = await outbox_rows()
    assert row["attempts"] == 1 and row["sent_at"] is None
    assert row["next_attempt_at"] == clock() + FIRST_RETRY
    assert row["last_error"]

    assert await deliver() == []  # not due yet: no new attempt
    assert (await outbox_rows())[0]["attempts"] == 1

    clock.advance(seconds=FIRST_RETRY.total_seconds())
    assert await deliver() == []
    [row] = await outbox_rows()
    assert row["attempts"] == 2
    assert row["next_attempt_at"] == clock() + 2 * FIRST_RETRY  # the wait doubles

    smtp_server.start()
    assert await deliver() == []  # still waiting out the back-off
    clock.advance(seconds=2 * FIRST_RETRY.total_seconds())
    [mail] = await deliver()
    assert mail.to == "sam.park@example.org"
    assert "http://portal.test/reset/" in mail.text
    [row] = await outbox_rows()
    assert row["sent_at"] == clock() and row["attempts"] == 3
    assert row["status"] == "sent" and row["payload"] is None and row["subject"] == mail.subject

    clock.advance(hours=2)
    assert await deliver() == []  # delivered once, never again


async def test_a_failed_change_writes_no_mail(portal, district, deliver):
    """The email and the change commit together: a reset refused by the password rules sends nothing."""
    from tests.integration.test_forgot_password import reset_link

    await make_account(district.guardian("sam"), "SamPark")
    await portal.post("/forgot-password", {"identifier": "SamPark"})
    [mail] = await deliver()
    await portal.get(reset_link(mail).removeprefix("http://portal.test"))
    await portal.post("/reset", {"password": "short", "verify_password": "short"})
    assert await deliver() == []
    assert len(await outbox_rows()) == 1 and await outbox_rows("password-changed") == []


async def test_the_in_process_sender_delivers_without_being_asked(database, mailbox, district):
    """The app as served (its lifespan starts the sender when HOMEROOM_SMTP_URL is set)."""
    from app import create_app

    await make_account(district.guardian("sam"), "SamPark")
    async with running_portal(create_app()) as browser:
        await browser.post("/forgot-username", {"email": "sam.park@example.org"})
        for _ in range(100):
            if mailbox.messages:
                break
            await asyncio.sleep(0.05)
    [mail] = mailbox.unread()
    assert mail.to == "sam.park@example.org"
    assert "SamPark" in mail.text
    [row] = await outbox_rows("username-reminder")
    assert row["sent_at"] is not None
