"""SSNs are compared as HMAC-SHA-256(pepper, digits) and never stored (docs/design.md §4.7, docs/security.md I1)."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata


def normalise_ssn(typed: str, *, digits: int = 9) -> str | None:
    """Digits only; None unless exactly `digits` of them (9 for a full SSN, 4 for the last four). Full-width
    digits and dashes (a phone keyboard in full-width mode) are read as the ASCII ones, as dates are."""
    typed = unicodedata.normalize("NFKC", typed)
    kept = "".join(c for c in typed if c.isascii() and c.isdigit())
    others = [c for c in typed if not (c.isascii() and c.isdigit()) and c not in " -"]
    if others or len(kept) != digits:
        return None
    return kept


def ssn_digest(pepper: str, normalised: str) -> str:
    return hmac.new(pepper.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def digests_match(a: str | None, b: str | None) -> bool:
    """Constant-time comparison that also treats a missing digest as no match."""
    return hmac.compare_digest((a or "").encode(), (b or "-").encode())
