"""Email addresses are checked by email-validator (no hand-rolled regex) and compared lower-cased."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


def normalise_email(typed: str) -> str | None:
    """The address as stored and compared, or None if it is not an email address."""
    if not typed or len(typed) > 320:
        return None
    try:
        checked = validate_email(typed.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.normalized.lower()
