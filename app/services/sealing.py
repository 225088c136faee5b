"""Secrets the portal must read back (TOTP shared secrets) are sealed with Fernet (AES-128-CBC + HMAC-SHA-256)
under a key derived from HOMEROOM_SECRET_KEY with HKDF: a copy of the database alone does not reveal them.
Digests that need a key (recovery codes) use another key derived the same way."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.settings import get_settings


@lru_cache(maxsize=8)
def _derived(secret_key: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"homeroom " + purpose).derive(
        secret_key.encode())


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derived(get_settings().secret_key, b"sealed secrets")))


def seal(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def unseal(sealed: str) -> str | None:
    """The plaintext, or None when it was sealed under another key or altered."""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def keyed_digest(purpose: bytes, text: str) -> str:
    return hmac.new(_derived(get_settings().secret_key, purpose), text.encode(), hashlib.sha256).hexdigest()
