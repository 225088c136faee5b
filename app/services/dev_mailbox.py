"""The dev mailbox (demo mode only, docs/design.md §7): what the portal delivered there instead of to a relay.

The outbox keeps no bodies (issue 9 item 4); in demo mode without a relay the sender delivers into the
`dev_mail` table as it would hand a message to a relay, so the demo shows the messages, links and keys
included. Production and test environments never write it."""

from __future__ import annotations

from app.tables import DevMail

LARGEST_ID = 2**31 - 1  # ids in URLs beyond the column's range are simply not found
LISTED = 100


async def recent_messages() -> list[dict]:
    return await DevMail.select(
        DevMail.id, DevMail.to_address, DevMail.subject, DevMail.delivered_at
    ).order_by(DevMail.id, ascending=False).limit(LISTED)


async def message(message_id: int) -> dict | None:
    if not 0 < message_id <= LARGEST_ID:
        return None
    return await DevMail.select(
        DevMail.id, DevMail.to_address, DevMail.subject, DevMail.body_text, DevMail.delivered_at
    ).where(DevMail.id == message_id).first()
