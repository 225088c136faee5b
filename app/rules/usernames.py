"""Username rules (docs/design.md §4.4): letters and digits only, 3–30, unique without regard to case."""

from __future__ import annotations

from app.rules.errors import N_, FieldError

MIN_LENGTH = 3
MAX_LENGTH = 30


def username_key(username: str) -> str:
    """The form usernames are compared and stored unique in."""
    return username.strip().lower()


def is_well_formed(username: str) -> bool:
    # str.isalnum() alone accepts 'gıthub', '١٢٣' and 'ＡＢＣ'; only ASCII letters and digits are allowed.
    return username.isascii() and username.isalnum() and MIN_LENGTH <= len(username) <= MAX_LENGTH


def username_errors(username: str) -> list[FieldError]:
    username = username.strip()
    if not username:
        return [FieldError("username", N_("Enter a username"))]
    if not (username.isascii() and username.isalnum()):
        return [FieldError("username", N_("Username must use only letters A to Z and numbers 0 to 9"))]
    if len(username) < MIN_LENGTH or len(username) > MAX_LENGTH:
        return [
            FieldError(
                "username",
                N_("Username must be %(min)d to %(max)d characters long"),
                {"min": MIN_LENGTH, "max": MAX_LENGTH},
            )
        ]
    return []
