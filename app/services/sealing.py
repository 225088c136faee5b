"""Secrets the portal must read back (TOTP shared secrets, issue 14) are sealed with app/sealing.py
(AES-256-GCM under a key derived from HOMEROOM_SECRET_KEY, the purpose as associated data): a copy of the
database alone does not reveal them. Digests that need a key (recovery codes) use HMAC-SHA-256 under another
key derived from the secret key with HKDF."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app import sealing
from app.settings import get_settings

TOTP_PURPOSE = "totp secret"


@lru_cache(maxsize=8)
def _derived(secret_key: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"homeroom " + purpose).derive(
        secret_key.encode())


def seal(plaintext: str) -> str:
    return sealing.seal(plaintext, secret_key=get_settings().secret_key, purpose=TOTP_PURPOSE)


def unseal(sealed: str) -> str | None:
    """The plaintext, or None when it was sealed under another key or altered."""
    try:
        value = sealing.unseal(sealed, secret_key=get_settings().secret_key, purpose=TOTP_PURPOSE)
    except sealing.Unsealable:
        return None
    return value if isinstance(value, str) else None


def keyed_digest(purpose: bytes, text: str) -> str:
    return hmac.new(_derived(get_settings().secret_key, purpose), text.encode(), hashlib.sha256).hexdigest()
