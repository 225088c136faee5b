"""Checking an online key request as typed (docs/design.md §4.7), and the fixed lists the school office picks from.

Only the form's shape is checked here: whether the details match our records is decided by the service,
and the reply never says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.rules.emails import normalise_email
from app.rules.errors import N_, FieldError
from app.rules.phones import check_phone
from app.rules.ssn import normalise_ssn
from app.rules.typed_days import (parse_typed_day, written_as_a_day_that_does_not_exist,
                                   written_with_a_short_year)

# The kinds of photo ID the office may accept in person. The kind is recorded, never the ID's number.
PHOTO_ID_TYPES = {
    "drivers-license": N_("Driver's license"),
    "state-id": N_("State ID card"),
    "passport": N_("Passport"),
    "military-id": N_("Military ID"),
    "consular-id": N_("Consular ID card"),
    "other-government": N_("Other government photo ID"),
}


def photo_id_errors(photo_id_type: str, id_checked: bool, *, prefix: str = "") -> list[FieldError]:
    """Before staff give a guardian something in person: the kind of photo ID checked, and the check confirmed.
    `prefix` names the form's fields ("reset_" on a form that has two such checks)."""
    errors = []
    if photo_id_type not in PHOTO_ID_TYPES:
        errors.append(FieldError(f"{prefix}photo_id_type", N_("Choose the kind of photo ID you checked")))
    if not id_checked:
        errors.append(FieldError(f"{prefix}id_checked", N_(
            "Confirm that you checked a photo ID and that it shows this guardian")))
    return errors


LONGEST_NAME = 120
LONGEST_RELATIONSHIP = 60
LONGEST_STUDENT_NUMBER = 64
LONGEST_REASON = 255


@dataclass(frozen=True)
class KeyRequestDetails:
    requester_name: str
    relationship: str
    email: str  # normalised
    phone: str  # E.164
    student_number: str  # without spaces
    ssn: str  # normalised digits (9, or 4 in last-4 mode); never stored; "" when withheld
    birth_date: date
    ssn_withheld: bool = False  # no SSN, or the requester prefers not to give it: staff decide


def normalise_student_number(typed: str) -> str:
    return "".join(typed.split())


def student_number_spellings(number: str) -> list[str]:
    """The spellings a typed (normalised) student number is looked up as: as typed, in capitals and in small
    letters, so "s100028" finds S100028 (a clerk's and a parent's slip: a tester's find), each matched exactly by
    the column's index. A number an SIS writes in mixed case ("Ab-12") is found only as written or in one case.
    Two numbers that differ only by case would both be found."""
    return sorted({number, number.upper(), number.lower()})


def parse_birth_date(typed: str, *, today: date) -> date | None:
    """The birth date typed (app/rules/typed_days.py), if it is a day from 1900 to today."""
    born = parse_typed_day(typed)
    return born if born is not None and date(1900, 1, 1) <= born <= today else None


def _plain_text(typed: str, longest: int) -> str | None:
    text = " ".join(typed.split())
    if not text or len(text) > longest or any(ord(c) < 32 for c in text):
        return None
    return text


def check_key_request(values: dict[str, str], *, ssn_mode: str,
                      today: date) -> tuple[KeyRequestDetails | None, list[FieldError]]:
    """The request's details, or the problems with what was typed, in the form's order."""
    errors: list[FieldError] = []
    name = _plain_text(values["requester_name"], LONGEST_NAME)
    if name is None:
        errors.append(FieldError("requester_name", N_("Enter your full name")))
    relationship = _plain_text(values["relationship"], LONGEST_RELATIONSHIP)
    if relationship is None:
        errors.append(FieldError("relationship", N_("Enter your relationship to the student, like mother or "
                                                    "grandfather")))
    email = normalise_email(values["email"])
    if email is None:
        errors.append(FieldError("email", N_("Enter an email address in the right format, like name@example.com")))
    phone = check_phone(values["phone"])
    if phone.problem:
        errors.append(FieldError("phone", phone.problem, phone.params))
    student_number = normalise_student_number(values["student_number"])
    if (not student_number or len(student_number) > LONGEST_STUDENT_NUMBER
            or not all(c.isascii() and (c.isalnum() or c == "-") for c in student_number)):
        errors.append(FieldError("student_number", N_("Enter the student number from a report card or "
                                                      "transcript: letters, numbers and dashes only")))
    withheld = values.get("no_ssn", "") == "yes"
    ssn = "" if withheld else normalise_ssn(values["ssn"], digits=4 if ssn_mode == "last4" else 9)
    if ssn is None:
        errors.append(FieldError("ssn", N_("Enter the last 4 digits of the student's Social Security number")
                                 if ssn_mode == "last4" else
                                 N_("Enter the student's Social Security number: 9 digits, with or without dashes")))
    born = parse_birth_date(values["birth_date"], today=today)
    if born is None:
        typed = values["birth_date"]
        errors.append(FieldError("birth_date", N_("That date does not exist: check the month and the day, like "
                                                  "04/27/2015") if written_as_a_day_that_does_not_exist(typed) else
                                 N_("Write the year in full, like 04/27/2015") if written_with_a_short_year(typed)
                                 else N_("Enter the student's date of birth, like 04/27/2015")))
    if errors:
        return None, errors
    return KeyRequestDetails(name, relationship, email, phone.e164, student_number, ssn, born, withheld), []


def decision_reason_errors(typed: str) -> tuple[str, list[FieldError]]:
    reason = " ".join(typed.split())
    if not reason:
        return "", [FieldError("reason", N_("Enter the reason"))]
    if len(reason) > LONGEST_REASON or any(ord(c) < 32 for c in reason):
        return "", [FieldError("reason", N_("Use at most %(max)d characters"), {"max": LONGEST_REASON})]
    return reason, []
