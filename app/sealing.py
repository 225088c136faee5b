"""Sealing what must wait (issue 9 item 4): an outbox message's context until it is sent, an in-person
key in the staff member's session until its slip is shown. Encrypted at rest with AES-256-GCM under a key
derived (HKDF-SHA256) from HOMEROOM_SECRET_KEY; the purpose (the message's kind, "key-slip") is the
associated data, so a sealed value cannot be moved to another use.

Contexts are JSON, with dates, times, decimals and UUIDs kept as what they were. Changing the secret key
makes payloads still waiting unreadable: those messages are marked failed, never sent half-rendered.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"homeroom outbox payload v1"
_NONCE_BYTES = 12
_VERSION = "v1."


class Unsealable(ValueError):
    """The payload was not sealed with this secret key (or was altered)."""


@lru_cache(maxsize=4)
def _cipher(secret_key: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key.encode())
    return AESGCM(key)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, UUID):
        return {"$uuid": str(value)}
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"an email context cannot hold {type(value).__name__} values (use str, numbers, dates, "
                    f"lists and dicts)")


_DECODERS = {"$datetime": datetime.fromisoformat, "$date": date.fromisoformat, "$time": time.fromisoformat,
             "$decimal": Decimal, "$uuid": UUID}


def _object_hook(value: dict) -> Any:
    if len(value) == 1:
        [(tag, text)] = value.items()
        decode = _DECODERS.get(tag)
        if decode is not None and isinstance(text, str):
            return decode(text)
    return value


def dumps(data: Any) -> bytes:
    return json.dumps(data, default=_default, ensure_ascii=False, separators=(",", ":")).encode()


def loads(raw: bytes) -> Any:
    return json.loads(raw, object_hook=_object_hook)


def seal(data: Any, *, secret_key: str, purpose: str) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _cipher(secret_key).encrypt(nonce, dumps(data), purpose.encode())
    return _VERSION + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(text: str, *, secret_key: str, purpose: str) -> Any:
    if not text.startswith(_VERSION):
        raise Unsealable("not a sealed payload")
    try:
        raw = base64.urlsafe_b64decode(text.removeprefix(_VERSION))
        plain = _cipher(secret_key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], purpose.encode())
    except (InvalidTag, ValueError) as error:
        raise Unsealable("sealed with another secret key, or altered") from error
    try:
        return loads(plain)
    except (ValueError, ArithmeticError) as error:  # a tagged value that does not read back ({"$date": "x"})
        raise Unsealable("sealed, but not as this module writes values") from error
