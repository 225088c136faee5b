"""Second-factor decisions that need no database (issue 14): who must have one, what a recovery code looks
like, and how a typed code is read."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from app.rules.preferences import DistrictPreferences

TRUSTED_FOR = timedelta(days=30)
RECOVERY_CODES = 10
# Crockford-like: no 0/O, 1/I/L, so a code read off paper is typed right.
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECOVERY_LENGTH = 10  # 31^10: about 49 bits each
CODE_DIGITS = 6


def second_factor_required(role: str, prefs: DistrictPreferences) -> bool:
    """District admins always; school staff unless the district turned it off; parents choose."""
    if role == "district-admin":
        return True
    if role == "school-staff":
        return prefs.staff_second_factor
    return False


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    codes = set()
    while len(codes) < count:
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.add(f"{raw[:5]}-{raw[5:]}")
    return sorted(codes)


def normalise_recovery_code(typed: str) -> str | None:
    """The code without spaces or dashes, upper-cased; None when it cannot be a recovery code."""
    cleaned = re.sub(r"[\s-]", "", typed).upper()
    if len(cleaned) != RECOVERY_LENGTH or any(c not in RECOVERY_ALPHABET for c in cleaned):
        return None
    return cleaned


def normalise_totp_code(typed: str) -> str | None:
    """Six digits (spaces allowed, as apps show "123 456"); None otherwise."""
    cleaned = re.sub(r"\s", "", typed)
    if len(cleaned) != CODE_DIGITS or not cleaned.isascii() or not cleaned.isdigit():
        return None
    return cleaned
