"""The last look before an alert or a digest goes out (the sender's preparers, app/services/outgoing_mail.py):
an absence alert whose absence was excused after it was queued (or whose guardian turned alerts off) is
cancelled instead of sent; a digest whose guardian unsubscribed meanwhile too. Both get their unsubscribe
link here, so the outbox holds none in the body. Whether the guardian may still hear about each child is the
sender's gate, which runs first for every kind (app/services/mail_access.py)."""

from __future__ import annotations

from typing import Any

from app.mail.sender import Claimed
from app.services.absence_alerts import KIND as ALERT, _unexcused
from app.services.alert_common import unsubscribe_url
from app.services.alert_preferences import choices_of
from app.services.digests import KIND as DIGEST
from app.services.preferences import load_preferences


async def check_absence_alert(message: Claimed, context: dict[str, Any]) -> dict[str, Any] | None:
    account, student, day = context["account_id"], context["student_id"], context["day"]
    if not (await load_preferences()).absence_alerts_offered or not (await choices_of(account)).absence_alerts:
        return None
    if not (await _unexcused(day, [student])).get(student):
        return None  # excused (or marked present) after the alert was queued
    return {"unsubscribe_url": unsubscribe_url(account, ALERT)}


async def check_weekly_digest(message: Claimed, context: dict[str, Any]) -> dict[str, Any] | None:
    if not (await choices_of(context["account_id"])).digest:
        return None
    return {"unsubscribe_url": unsubscribe_url(context["account_id"], DIGEST)}


PREPARERS = {ALERT: check_absence_alert, DIGEST: check_weekly_digest}
