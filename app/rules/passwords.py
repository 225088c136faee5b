"""Password rules (docs/design.md §4.4): the district's minimum and Strong Password preference, a blocklist of
common and breached passwords, and no passwords that contain the username or the district's name."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from app.rules.errors import N_, FieldError

MAX_LENGTH = 128
MIN_LENGTH_FLOOR = 6
MIN_LENGTH_CEILING = 64
# Names shorter than this are too common inside passwords to refuse them ("Al", "Ed").
SHORTEST_CONTEXT_WORD = 4


@dataclass(frozen=True)
class PasswordPolicy:
    minimum_length: int = 6
    strong: bool = False
    district_name: str = ""

    def describe(self) -> list[tuple[str, dict]]:
        """The rules as (msgid, params), shown next to the field before any error."""
        rules: list[tuple[str, dict]] = [
            (N_("At least %(min)d characters (at most %(max)d); spaces are allowed"),
             {"min": self.minimum_length, "max": MAX_LENGTH}),
        ]
        if self.strong:
            rules.append((N_("At least three of these four: a lower-case letter, an upper-case letter, "
                             "a number, a symbol"), {}))
        rules.append((N_("Not a common password, and not containing your username or the district's name"), {}))
        return rules


@lru_cache(maxsize=1)
def _blocklist() -> frozenset[str]:
    # zxcvbn ships 30,000 passwords ranked by how often they appear in breach corpora.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    return password.lower() in _blocklist()


def character_classes(password: str) -> int:
    """How many of lower-case, upper-case, digit and symbol the password has (Unicode-aware)."""
    has_lower = any(c.islower() for c in password)
    has_upper = any(c.isupper() for c in password)
    has_digit = any(c.isdigit() for c in password)
    has_symbol = any(not c.isalnum() and not c.isspace() for c in password)
    return sum((has_lower, has_upper, has_digit, has_symbol))


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().replace(" ", "")


def password_errors(password: str, verify: str, *, username: str, policy: PasswordPolicy) -> list[FieldError]:
    """Errors for the Password field first, then for Verify Password. Both are judged in NFKC, the form
    they are hashed in (app/services/password_hashing.py): the same password typed on two keyboards counts
    the same characters and matches its verification."""
    password, verify = unicodedata.normalize("NFKC", password), unicodedata.normalize("NFKC", verify)
    if not password:
        return [FieldError("password", N_("Enter a password"))]
    errors: list[FieldError] = []
    if len(password) < policy.minimum_length:
        errors.append(FieldError("password", N_("Password must be at least %(min)d characters long"),
                                 {"min": policy.minimum_length}))
    elif len(password) > MAX_LENGTH:
        errors.append(FieldError("password", N_("Password must be at most %(max)d characters long"),
                                 {"max": MAX_LENGTH}))
    elif policy.strong and character_classes(password) < 3:
        errors.append(FieldError("password", N_(
            "Password must have at least three of these four: a lower-case letter, an upper-case letter, "
            "a number, a symbol")))
    elif is_common(password):
        errors.append(FieldError("password", N_(
            "This password is too common: it is on a list of passwords that attackers try first")))
    else:
        folded = _folded(password)
        if len(username) >= 3 and _folded(username) in folded:
            errors.append(FieldError("password", N_("Password must not contain your username")))
        elif any(len(word) >= SHORTEST_CONTEXT_WORD and _folded(word) in folded
                 for word in [policy.district_name, *policy.district_name.split()]):
            errors.append(FieldError("password", N_("Password must not contain the district's name")))
    if not verify:
        errors.append(FieldError("verify_password", N_("Enter the password again in Verify Password")))
    elif verify != password:
        errors.append(FieldError("verify_password", N_("The two passwords are not the same. Type the same password in both boxes")))
    return errors
