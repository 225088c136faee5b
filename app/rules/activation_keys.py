"""Activation keys (docs/design.md §4.2): 128 random bits shown as 32 characters in 8 groups of 4.

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


# Issue 13 item 9: a key typed wrong is told what is wrong with it. Characters a key never has, each with
# what a parent may have read it as (the alphabet leaves out every look-alike).
NEVER_IN_A_KEY = {"O": "letter", "I": "letter", "S": "letter", "B": "letter", "L": "letter",
                  "0": "number", "1": "number", "5": "number", "8": "number"}


def key_typing_problem(typed: str) -> tuple[str, str | int] | None:
    """Why what was typed cannot be a key, for the message: ("letter", "O") / ("number", "0") /
    ("character", "#") for the first character a key never has, else ("length", how many were typed);
    None when it has the shape of a key."""
    cleaned = "".join(c for c in typed.upper() if c not in " -\t\r\n")
    for c in cleaned:
        if c not in ALPHABET:
            kind = NEVER_IN_A_KEY.get(c) or ("letter" if c.isalpha() and c.isascii() else
                                             "number" if c.isdigit() and c.isascii() else "character")
            return kind, c
    if len(cleaned) != LENGTH:
        return "length", len(cleaned)
    return None
