"""Activation keys (DESIGN §4.2): 128 random bits shown as 32 characters in 8 groups of 4.

The alphabet has 16 characters (4 bits each) with no 0/O, 1/I, 5/S or 8/B look-alikes. Typing is
forgiving: case, spaces and dashes do not matter.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "234679CDFHJKMNPR"
LENGTH = 32
GROUP = 4


def new_key() -> str:
    """A fresh key from the operating system's CSPRNG, formatted for reading."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return format_key(raw)


def format_key(normalised: str) -> str:
    return "-".join(normalised[i : i + GROUP] for i in range(0, len(normalised), GROUP))


def normalise_key(typed: str) -> str | None:
    """The key as stored, or None when what was typed cannot be a key."""
    cleaned = "".join(c for c in typed.upper() if c not in " -\t\r\n")
    if len(cleaned) != LENGTH or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned


def key_digest(normalised: str) -> str:
    """SHA-256 is enough for a 128-bit random secret (ASVS 6.5.2); no salt or slow hash needed."""
    return hashlib.sha256(normalised.encode()).hexdigest()
