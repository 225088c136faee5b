"""Fingerprinted static files: the URL carries a content hash (so they can be cached `immutable`) and
scripts and styles carry an SRI hash."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from app.paths import STATIC_DIR


@lru_cache(maxsize=None)
def _digests(relative_path: str) -> tuple[str, str]:
    content = (STATIC_DIR / relative_path).read_bytes()
    fingerprint = hashlib.sha256(content).hexdigest()[:12]
    integrity = "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()
    return fingerprint, integrity


def static_url(relative_path: str) -> str:
    fingerprint, _ = _digests(relative_path)
    return f"/static/{relative_path}?v={fingerprint}"


def static_integrity(relative_path: str) -> str:
    return _digests(relative_path)[1]
