"""Sealing a secret that must wait somewhere the database keeps (issue 9 item 4): authenticated encryption
(Fernet: AES-128-CBC + HMAC-SHA-256, from the well-kept `cryptography` package) under a key derived from
`HOMEROOM_SECRET_KEY` with HKDF, one key per purpose. Neither the database nor a backup of it can open a
sealed value without the secret key, which lives in the environment, never in the database.

Use: `seal("key-slip", text)` and `unseal("key-slip", token, max_age=...)` (None when the token was not
sealed for this purpose with this secret key, was altered, or is older than `max_age` seconds).
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.settings import get_settings


@lru_cache(maxsize=16)
def _fernet(secret_key: str, purpose: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"homeroom sealed values",
                   info=purpose.encode()).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(purpose: str, text: str) -> str:
    return _fernet(get_settings().secret_key, purpose).encrypt(text.encode()).decode("ascii")


def unseal(purpose: str, token: str, *, max_age: int | None = None) -> str | None:
    if not isinstance(token, str) or not token:
        return None
    try:
        return _fernet(get_settings().secret_key, purpose).decrypt(token.encode("ascii"), ttl=max_age).decode()
    except (InvalidToken, UnicodeError, ValueError):
        return None
