"""A US mailing address as a parent types it for an address-change request (docs/design.md §4.9). Checked for
shape only: staff confirm the address itself before the SIS changes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.rules.errors import N_, FieldError

# USPS codes: the states, DC, the territories and the military "states".
STATE_CODES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI UM AA AE AP".split()
)
ZIP_CODE = re.compile(r"[0-9]{5}(-[0-9]{4})?")


@dataclass(frozen=True)
class Address:
    line1: str
    line2: str
    city: str
    state: str
    postal_code: str


def _tidy(text: str) -> str:
    return " ".join(text.split())


def tidy_address(line1: str, line2: str, city: str, state: str, postal_code: str) -> Address:
    """Spaces collapsed, the state code upper-cased, a 9-digit ZIP written with its dash."""
    postal = _tidy(postal_code).replace(" ", "")
    if re.fullmatch(r"[0-9]{9}", postal):
        postal = f"{postal[:5]}-{postal[5:]}"
    return Address(_tidy(line1), _tidy(line2), _tidy(city), _tidy(state).upper(), postal)


def _has_control_characters(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def address_errors(address: Address) -> list[FieldError]:
    """Errors in the order the fields appear on the form."""
    errors: list[FieldError] = []
    for name, value, longest, required in (
        ("address_line1", address.line1, 255, N_("Enter the street address")),
        ("address_line2", address.line2, 255, None),
        ("city", address.city, 120, N_("Enter the town or city")),
    ):
        if required and not value:
            errors.append(FieldError(name, required))
        elif len(value) > longest or _has_control_characters(value):
            errors.append(FieldError(name, N_("Use at most %(max)d letters, numbers and spaces"), {"max": longest}))
    if not address.state:
        errors.append(FieldError("state", N_("Enter the state, like GA")))
    elif address.state not in STATE_CODES:
        errors.append(FieldError("state", N_("Enter the state as its two-letter code, like GA")))
    if not address.postal_code:
        errors.append(FieldError("postal_code", N_("Enter the ZIP code")))
    elif not ZIP_CODE.fullmatch(address.postal_code):
        errors.append(FieldError("postal_code", N_("Enter a ZIP code of 5 digits, like 30303, or 9 digits, "
                                                   "like 30303-1234")))
    return errors


def home_key(line1: str | None, line2: str | None, city: str | None, state: str | None,
             postal_code: str | None) -> tuple[str, ...] | None:
    """The home a mailing address reaches, for telling whether two households' addresses are one home (issue 11:
    no key letter is posted where a guardian whose access to a child is off is listed): case, spaces and
    punctuation ignored; the ZIP code's first five digits stand for the city and state when there is one. None
    without a first line (no letter can be posted there)."""
    def words(text: str | None) -> str:
        return " ".join(re.sub(r"[^\w]+", " ", (text or "").casefold()).split())

    if not words(line1):
        return None
    zip5 = re.sub(r"[^0-9]", "", postal_code or "")[:5]
    place = (zip5,) if len(zip5) == 5 else (words(city), words(state))
    return (words(line1), words(line2), *place)
