"""What each kind of outgoing mail needs when its turn comes, and the sender wired to it.

Preparers (run just before a message is sent, app/mail/sender.py) mint the secret a message carries, so
the outbox never holds a reset or confirmation link at all (issue 9 item 4), a message that waited out a
relay outage goes with a fresh link (issue 12 item 7), and one whose purpose has gone (the account was
disabled, the address changed, the change was superseded or confirmed, the key was used or revoked) is
cancelled instead of sent. An activation key is issued when it is asked for (staff see it, the older
keys are revoked at once), so it waits sealed in the payload and is dropped once sent.

Request handlers (app/services/recovery_mail.py) do the lookups a reply must not do itself.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from app import clock
from app.database import transaction
from app.mail import sender
from app.mail.sender import Claimed, MailKinds
from app.rules.activation_keys import key_digest, normalise_key
from app.rules.tokens import new_token, token_digest
from app.services.alert_mail import PREPARERS as ALERT_PREPARERS
from app.services.household import EMAIL_LINK_LIFETIME
from app.services.mail_access import gate as access_gate
from app.services.preferences import load_preferences
from app.services.key_requests import KEY_REQUEST_HANDLERS
from app.services.recovery_mail import REQUEST_HANDLERS
from app.settings import Settings, get_settings
from app.tables import ActivationKey, EmailChange, PasswordResetToken, UserAccount


async def mint_reset_link(message: Claimed, context: dict[str, Any]) -> dict[str, Any] | None:
    """A new reset link for the account, if it is still active with this address on file; the account's
    older links stop working."""
    prefs = await load_preferences()
    token = new_token()
    now = clock.now()
    async with transaction():
        account = await UserAccount.select(UserAccount.id).where(
            (UserAccount.id == context["account_id"]) & (UserAccount.disabled == False)  # noqa: E712
            & (UserAccount.person.email == message.to_address)).first()
        if account is None:
            return None
        await PasswordResetToken.update({PasswordResetToken.superseded_at: now}).where(
            (PasswordResetToken.account == account["id"])
            & PasswordResetToken.used_at.is_null()
            & PasswordResetToken.superseded_at.is_null()
        )
        await PasswordResetToken.insert(PasswordResetToken(
            token_hash=token_digest(token), account=account["id"], created_at=now,
            expires_at=now + timedelta(minutes=prefs.reset_link_minutes)))
    return {"link": f"{get_settings().public_url}/reset/{token}", "minutes": prefs.reset_link_minutes}


async def mint_email_confirmation_link(message: Claimed, context: dict[str, Any]) -> dict[str, Any] | None:
    """The confirmation link of an email change still waiting (neither confirmed nor superseded); its hour
    starts now."""
    token = new_token()
    now = clock.now()
    minted = await EmailChange.update({
        EmailChange.token_hash: token_digest(token), EmailChange.expires_at: now + EMAIL_LINK_LIFETIME,
    }).where(
        (EmailChange.id == context["change_id"]) & (EmailChange.new_email == message.to_address)
        & EmailChange.confirmed_at.is_null() & EmailChange.superseded_at.is_null()
    ).returning(EmailChange.id)
    if not minted:
        return None
    return {"link": f"{get_settings().public_url}/email/confirm/{token}",
            "minutes": int(EMAIL_LINK_LIFETIME.total_seconds() // 60)}


async def check_activation_key(message: Claimed, context: dict[str, Any]) -> dict[str, Any] | None:
    """The key goes only while it can still be used (not used, revoked or expired)."""
    normalised = normalise_key(context.get("key", ""))
    if normalised is None:
        return None
    usable = await ActivationKey.exists().where(
        (ActivationKey.key_hash == key_digest(normalised)) & ActivationKey.used_at.is_null()
        & ActivationKey.revoked_at.is_null() & (ActivationKey.expires_at > clock.now()))
    return {} if usable else None


MAIL_KINDS = MailKinds(
    preparers={
        "password-reset": mint_reset_link,
        "email-change-confirm": mint_email_confirmation_link,
        "activation-key": check_activation_key,
        **ALERT_PREPARERS,  # issue 12: absence alerts and weekly digests
    },
    requests={**REQUEST_HANDLERS, **KEY_REQUEST_HANDLERS},  # the mail worker's halves of forms' requests
    gate=access_gate,  # issue 11: nothing about a student the recipient may no longer hear about
)


async def deliver_due(settings: Settings | None = None, *, limit: int = sender.BATCH) -> int:
    return await sender.deliver_due(settings or get_settings(), MAIL_KINDS, limit=limit)


async def run_sender(settings: Settings, *, stop: asyncio.Event | None = None, idle_seconds: float = 2.0) -> None:
    await sender.run_sender(settings, MAIL_KINDS, stop=stop, idle_seconds=idle_seconds)
