"""Phone numbers are parsed by phonenumbers (no hand-rolled regex) and stored in E.164. Numbers without
a country code are read as US numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

import phonenumbers
from phonenumbers import ValidationResult

from app.rules.errors import N_

DEFAULT_REGION = "US"
PHONE_KINDS = {"mobile": N_("Mobile"), "home": N_("Home"), "work": N_("Work")}
LONGEST_TYPED = 40


@dataclass(frozen=True)
class PhoneCheck:
    e164: str | None = None
    problem: str | None = None  # a msgid when the number cannot be used
    params: dict = field(default_factory=dict)  # its %(name)s values


_TOO_SHORT = N_("This phone number has too few digits. Enter the whole number with its area code, "
                "like 404-802-1000")
_REASONS = {
    ValidationResult.TOO_SHORT: _TOO_SHORT,
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: _TOO_SHORT,  # 802-1000: a number without its area code
    ValidationResult.TOO_LONG: N_("This phone number has too many digits. Check it and try again"),
    ValidationResult.INVALID_LENGTH: N_("This phone number has the wrong number of digits. Check it and try again"),
    ValidationResult.INVALID_COUNTRY_CODE: N_("The country code of this phone number is not right. Numbers "
                                              "outside the US start with + and their country code"),
}


def check_phone(typed: str) -> PhoneCheck:
    """The number in E.164 (+14048021000), or the reason it cannot be used."""
    text = typed.strip()
    if not text:
        return PhoneCheck(problem=N_("Enter a phone number"))
    if len(text) > LONGEST_TYPED or any(ord(c) < 32 for c in text):
        return PhoneCheck(problem=N_("Enter a phone number, like 404-802-1000"))
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException as error:
        if error.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            return PhoneCheck(problem=_REASONS[ValidationResult.INVALID_COUNTRY_CODE])
        return PhoneCheck(problem=N_("Enter a phone number using digits, like 404-802-1000"))
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in _REASONS:
        return PhoneCheck(problem=_REASONS[reason])
    if not phonenumbers.is_valid_number(number):
        return PhoneCheck(problem=N_("This is not a phone number that can be dialed. Check it and try again"))
    if number.extension:
        # Issue 13 item 11: an extension was silently dropped. It is refused plainly instead: the school's
        # calls and texts go to numbers that reach the family directly (stored in E.164, which has no extension).
        return PhoneCheck(problem=N_("Phone numbers are saved without extensions, and this one has ext. "
                                     "%(extension)s. Enter a number that reaches you directly"),
                          params={"extension": number.extension[:10]})
    return PhoneCheck(e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def import_warning(check: PhoneCheck) -> str:
    """What an SIS import says (in English, to the IT lead) of a number `check_phone` refused: it is left out."""
    if "extension" in check.params:
        return (f"has an extension (ext. {check.params['extension']}): the portal keeps only numbers that reach the "
                "family directly, so it is left out; put the extension in the SIS's notes, not in the number")
    return ("is not a phone number that can be dialed (US numbers need their area code, others a + and country "
            "code); it is left out")
