"""Pure decisions about portal access per guardian–student link (issue 11): the reasons a link may be
switched off, checking what staff or a file typed, when a restriction is in force, and the 18th birthday."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.rules.errors import N_, FieldError
from app.rules.preferences import AFTER_18  # noqa: F401  (the preference parents_after_18 takes these)

REASONS = {
    "court-order": N_("Court order"),
    "custody-agreement": N_("Custody agreement"),
    "student-request": N_("Student's request (18 or older)"),
    "other": N_("Other"),
}
# Who set a restriction: staff (console or `homeroom access`), the district's restrictions CSV ("import"), or
# the Ed-Fi import's contactRestrictions ("edfi"). Each import lifts only its own: the nightly Ed-Fi run never
# lifts a court order the district's CSV set, nor the CSV one that Ed-Fi set.
SOURCES = ("staff", "import", "edfi")
REFERENCE_MAX = 255
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)  # the days a restriction may start or end on
# The district preference `parents_after_18`: parents keep access when a student turns 18 (the default;
# FERPA 99.31(a)(8) allows it for dependants), or lose it on the birthday.
ADULT_AGE = 18
NOBODY_IS_ADULT = date(1, 1, 1)  # the cutoff when parents keep access: no birth date is on or before it


@dataclass(frozen=True)
class TypedRestriction:
    reason: str
    reference: str
    starts_on: date | None
    ends_on: date | None


def parse_day(text: str) -> date | None:
    """YYYY-MM-DD, or None (empty or not a date: the caller tells which from the text)."""
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def restriction_errors(reason: str, reference: str, starts: str, ends: str
                       ) -> tuple[TypedRestriction | None, list[FieldError]]:
    """Check a restriction as typed (the staff form, the CLI, a row of the district's CSV)."""
    errors = []
    reason = reason.strip().lower()
    if reason not in REASONS:
        errors.append(FieldError("reason", N_("Choose a reason: %(choices)s"), {"choices": ", ".join(REASONS)}))
    reference = " ".join(reference.split())
    if len(reference) > REFERENCE_MAX or any(ord(c) < 32 for c in reference):
        errors.append(FieldError("reference", N_("Use at most %(max)d characters for the reference"),
                                 {"max": REFERENCE_MAX}))
    days = {}
    for name, text in (("starts_on", starts), ("ends_on", ends)):
        days[name] = parse_day(text)
        if text.strip() and (days[name] is None or not FIRST_DAY <= days[name] <= LAST_DAY):
            errors.append(FieldError(name, N_("Enter a date like 2026-09-01")))
            days[name] = None
    if days["starts_on"] and days["ends_on"] and days["ends_on"] < days["starts_on"]:
        errors.append(FieldError("ends_on", N_("The last day cannot be before the first day")))
    if errors:
        return None, errors
    return TypedRestriction(reason, reference, days["starts_on"], days["ends_on"]), []


def student_request_errors(reason: str, birth_date: date | None, starts_on: date) -> list[FieldError]:
    """"Student's request (18 or older)" is a reason only for a student who is 18 on the first day of the
    restriction (FERPA 99.5: the rights pass to the student at 18); `starts_on` is that day in the district's
    time zone (today when none was given). A student with no birth date on file cannot be shown to be 18."""
    if reason.strip().lower() != "student-request":
        return []
    if birth_date is None:
        return [FieldError("reason", N_("The student's own request is a reason only for a student who is 18 or "
                                        "older, and this student has no birth date on file. Choose another "
                                        "reason"))]
    if eighteenth_birthday(birth_date) > starts_on:
        return [FieldError("reason", N_("The student is under 18 on %(day)s (18 on %(birthday)s): the student's "
                                        "own request is a reason only from the 18th birthday. Choose another "
                                        "reason"),
                           {"day": starts_on.isoformat(), "birthday": eighteenth_birthday(birth_date).isoformat()})]
    return []


def restriction_state(starts_on: date | None, ends_on: date | None, lifted: bool, today: date) -> str:
    """lifted | scheduled (starts later) | ended (its last day has passed) | in-force."""
    if lifted:
        return "lifted"
    if starts_on is not None and starts_on > today:
        return "scheduled"
    if ends_on is not None and ends_on < today:
        return "ended"
    return "in-force"


def adult_cutoff(today: date, after_18: str) -> date:
    """The latest birth date of a student who is 18 on `today` when parents lose access at 18 (someone born
    on 29 February turns 18 on 1 March in a common year); NOBODY_IS_ADULT when parents keep access."""
    if after_18 != "end":
        return NOBODY_IS_ADULT
    try:
        return today.replace(year=today.year - ADULT_AGE)
    except ValueError:  # today is 29 February and that year has none
        return date(today.year - ADULT_AGE, 2, 28)


def eighteenth_birthday(birth_date: date) -> date:
    try:
        return birth_date.replace(year=birth_date.year + ADULT_AGE)
    except ValueError:
        return date(birth_date.year + ADULT_AGE, 3, 1)
