"""Passkeys (WebAuthn), optional, as progressive enhancement (issue 14): a signed-in parent or staff member
adds one (current password needed; the address on file is told), and signs in with it from the passkey
page. The checks are py_webauthn's; user verification (the device's PIN, fingerprint or face) is required,
so a passkey is a sign-in of its own, second factor included. The password path always remains.

The relying party is the portal's public URL (HOMEROOM_PUBLIC_URL): its host is the RP ID and its origin
the only origin accepted, never anything taken from the request."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from webauthn import (generate_authentication_options, generate_registration_options, options_to_json,
                      verify_authentication_response, verify_registration_response)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (AuthenticatorSelectionCriteria, PublicKeyCredentialDescriptor,
                                      ResidentKeyRequirement, UserVerificationRequirement)

from app import clock
from app.database import transaction
from app.rules.errors import N_, FieldError
from app.services import audit
from app.services.credentials import check_current_password
from app.services.preferences import load_preferences
from app.services.sealing import keyed_digest
from app.services.second_factor import notify
from app.settings import get_settings
from app.tables import Passkey, UserAccount

MOST_PASSKEYS = 10


def relying_party() -> tuple[str, str]:
    """(RP ID, origin) from the public URL."""
    parts = urlsplit(get_settings().public_url)
    return parts.hostname or "localhost", f"{parts.scheme}://{parts.netloc}"


def _user_handle(account_id: int) -> bytes:
    """Stable, opaque (not the row id): 32 bytes keyed from the secret key."""
    return bytes.fromhex(keyed_digest(b"passkey user handle", str(account_id)))


@dataclass(frozen=True)
class Ceremony:
    options_json: str = ""
    challenge: str = ""  # base64url, kept in the server-side session until the answer comes
    errors: list[FieldError] = field(default_factory=list)


async def registration_options(account_id: int, username: str, current_password: str, *, ip: str) -> Ceremony:
    problem = await check_current_password(account_id, current_password, ip=ip)
    if problem:
        return Ceremony(errors=[problem])
    existing = await Passkey.select(Passkey.credential_id).where(Passkey.account == account_id)
    if len(existing) >= MOST_PASSKEYS:
        return Ceremony(errors=[FieldError("current_password", N_("You have 10 passkeys: remove one first"))])
    rp_id, _ = relying_party()
    options = generate_registration_options(
        rp_id=rp_id, rp_name=(await load_preferences()).portal_name, user_name=username, user_display_name=username,
        user_id=_user_handle(account_id),
        authenticator_selection=AuthenticatorSelectionCriteria(resident_key=ResidentKeyRequirement.REQUIRED,
                                                               user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(r["credential_id"]))
                             for r in existing])
    return Ceremony(options_json=options_to_json(options), challenge=bytes_to_base64url(options.challenge))


async def register(account_id: int, credential: str, challenge: str, *, ip: str) -> bool:
    """Store the new passkey when the browser's answer checks out (False otherwise; never raises)."""
    rp_id, origin = relying_party()
    try:
        verified = verify_registration_response(credential=credential, expected_challenge=base64url_to_bytes(challenge),
                                                expected_rp_id=rp_id, expected_origin=origin,
                                                require_user_verification=True)
    except (WebAuthnException, ValueError, TypeError, KeyError):  # a hostile answer is refused, never a 500
        await audit.record("passkey.refused", account=account_id, actor=account_id, ip=ip, detail="registration")
        return False
    credential_id = bytes_to_base64url(verified.credential_id)
    if await Passkey.exists().where(Passkey.credential_id == credential_id):
        return False
    now = clock.now()
    async with transaction():
        await Passkey.insert(Passkey(account=account_id, credential_id=credential_id,
                                     public_key=bytes_to_base64url(verified.credential_public_key),
                                     sign_count=verified.sign_count, created_at=now,
                                     label=now.strftime("%Y-%m-%d")))
        await audit.record("passkey.added", account=account_id, actor=account_id, ip=ip)
        await notify(account_id, "passkey-added")
    return True


def authentication_options() -> Ceremony:
    """For a discoverable credential: the browser offers the passkeys it holds for this site."""
    rp_id, _ = relying_party()
    options = generate_authentication_options(rp_id=rp_id, user_verification=UserVerificationRequirement.REQUIRED)
    return Ceremony(options_json=options_to_json(options), challenge=bytes_to_base64url(options.challenge))


@dataclass(frozen=True)
class PasskeySignIn:
    account_id: int | None = None
    role: str | None = None
    language: str | None = None


async def authenticate(credential: str, challenge: str, *, ip: str) -> PasskeySignIn:
    """The account whose passkey signed the challenge (and may sign in now), or an empty result."""
    try:
        credential_id = json.loads(credential)["id"]
        if not isinstance(credential_id, str) or len(credential_id) > 1400:
            raise ValueError
    except (ValueError, TypeError, KeyError):
        return PasskeySignIn()
    stored = await Passkey.objects().where(Passkey.credential_id == credential_id).first()
    if stored is None:
        await audit.record("passkey.refused", ip=ip, detail="unknown passkey")
        return PasskeySignIn()
    rp_id, origin = relying_party()
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=base64url_to_bytes(challenge), expected_rp_id=rp_id,
            expected_origin=origin, credential_public_key=base64url_to_bytes(stored.public_key),
            credential_current_sign_count=stored.sign_count, require_user_verification=True)
    except (WebAuthnException, ValueError, TypeError, KeyError):
        await audit.record("passkey.refused", account=stored.account, ip=ip, detail="signature")
        return PasskeySignIn()
    account = await UserAccount.select(UserAccount.role, UserAccount.language, UserAccount.disabled,
                                       UserAccount.locked_until).where(
        UserAccount.id == stored.account).first()
    now = clock.now()
    if account["disabled"] or (account["locked_until"] is not None and account["locked_until"] > now):
        await audit.record("passkey.refused", account=stored.account, ip=ip, detail="account disabled or locked")
        return PasskeySignIn()
    await Passkey.update({Passkey.sign_count: verified.new_sign_count, Passkey.last_used_at: now}).where(
        Passkey.id == stored.id)
    return PasskeySignIn(account_id=stored.account, role=account["role"], language=account["language"])


async def passkeys_of(account_id: int) -> list[dict]:
    return await Passkey.select(Passkey.id, Passkey.label, Passkey.created_at, Passkey.last_used_at).where(
        Passkey.account == account_id).order_by(Passkey.id)


async def remove_passkey(account_id: int, passkey_id: str, current_password: str, *, ip: str) -> list[FieldError]:
    ids = {str(p["id"]) for p in await passkeys_of(account_id)}
    errors = []
    if passkey_id not in ids:
        errors.append(FieldError("passkey", N_("Choose the passkey to remove")))
    problem = await check_current_password(account_id, current_password, ip=ip)
    if problem:
        errors.append(FieldError("remove_password", problem.message, problem.params))
    if errors:
        return errors
    async with transaction():
        await Passkey.delete().where((Passkey.id == int(passkey_id)) & (Passkey.account == account_id))
        await audit.record("passkey.removed", account=account_id, actor=account_id, ip=ip)
        await notify(account_id, "passkey-removed")
    return []
