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


# Providers that deliver every spelling of a Gmail name with or without dots to one mailbox, and under either
# domain (issue 11: telling whether two addresses reach one mailbox).
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def mailbox_key(address: str | None) -> str | None:
    """The mailbox an address reaches, for telling whether two addresses are one mailbox (the shared-mailbox
    rule, app/services/mail_access.py): lower-cased; without a plus tag (`name+school@x` reaches `name@x`);
    and for Gmail without the dots in the name and with googlemail.com read as gmail.com. None for an empty
    value or one without a name and a domain. Never stored or sent to: only compared."""
    text = (address or "").strip().lower()
    local, at, domain = text.rpartition("@")
    domain = domain.rstrip(".")
    if not at or not local or not domain:
        return None
    local = local.split("+", 1)[0] or local  # "+tag@x" alone is a name, not a tag
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", "") or local, "gmail.com"
    return f"{local}@{domain}"


def same_mailbox(a: str | None, b: str | None) -> bool:
    """Whether two addresses reach one mailbox (mailbox_key); never for an empty one."""
    key = mailbox_key(a)
    return key is not None and key == mailbox_key(b)
