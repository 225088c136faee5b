"""The language switcher for people who are not signed in (docs/design.md §4.1): which choices are allowed, and
where the browser may be sent back to afterwards. Pure decisions, no I/O."""

from __future__ import annotations

from collections.abc import Container
from urllib.parse import urlsplit

HOME = "/"
LONGEST_PATH = 500


def language_choice(choice: str, available: Container[str]) -> str | None:
    """The chosen language if the portal has a catalog for it, else None (the select offers nothing else,
    so anything else was typed by hand)."""
    return choice if choice and choice in available else None


def return_path(next_path: str) -> str:
    """Back to the page the switcher was on: only a path on this site ("/forgot-password"), never another
    site ("https://evil.example", "//evil.example", "/\\evil.example"); anything else is the start page. A `lang`
    in its query (a link from an email) is left out, or the page would switch back to the email's language."""
    if not next_path or len(next_path) > LONGEST_PATH or not next_path.startswith("/"):
        return HOME
    if next_path.startswith("//") or "\\" in next_path or any(not 33 <= ord(c) <= 126 for c in next_path):
        return HOME
    parts = urlsplit(next_path)
    if parts.scheme or parts.netloc:
        return HOME
    # Without the language an email's link carried (`?lang=es`): back on the page it would choose again.
    query = "&".join(p for p in parts.query.split("&") if p and p.split("=", 1)[0] != "lang")
    return parts.path + (f"?{query}" if query else "")
