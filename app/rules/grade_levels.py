"""A student's grade level as a parent says it ("2nd grade", "Kindergarten"), from what the SIS sent (issue 13
item 6: home showed "grade 02").

OneRoster 1.1/1.2 enrollments carry the CEDS grade-level codes: IT (infant/toddler), PR (preschool), PK
(pre-kindergarten), TK (transitional kindergarten), KG (kindergarten), 01–13, PS (postsecondary), UG
(ungraded) and Other. Real files are messier ("2", "02", "Grade 2", "2nd", "K", "Pre-K"), and Ed-Fi sends
descriptors ("uri://ed-fi.org/GradeLevelDescriptor#Second grade"). `grade_level` reads all of these to one
CEDS code; `grade_words` gives the English msgid to translate where it is shown (app/templating.py).
Pure: no I/O, no gettext."""

from __future__ import annotations

import re

from app.rules.errors import N_

# What each CEDS code is called (translated where shown; Spanish in app/locale/es).
GRADE_WORDS = {
    "IT": N_("Infant or toddler"),
    "PR": N_("Preschool"),
    "PK": N_("Pre-K"),
    "TK": N_("Transitional kindergarten"),
    "KG": N_("Kindergarten"),
    "01": N_("1st grade"),
    "02": N_("2nd grade"),
    "03": N_("3rd grade"),
    "04": N_("4th grade"),
    "05": N_("5th grade"),
    "06": N_("6th grade"),
    "07": N_("7th grade"),
    "08": N_("8th grade"),
    "09": N_("9th grade"),
    "10": N_("10th grade"),
    "11": N_("11th grade"),
    "12": N_("12th grade"),
    "13": N_("13th grade"),
    "PS": N_("Postsecondary"),
    "UG": N_("Ungraded"),
}
# The longest grade level kept as the SIS sent it (school_enrollment.grade): an Ed-Fi descriptor URI
# ("uri://ed-fi.org/GradeLevelDescriptor#Kindergarten") fits; it was 8 until issue 13 ("Kinderga").
GRADE_LENGTH = 64
OTHER = "Other"  # a CEDS code that says nothing to a parent: not shown

# Words SIS files use for the codes that are not numbers (lower case, spaces and punctuation folded).
_NAMED = {
    "it": "IT", "infant": "IT", "toddler": "IT", "infanttoddler": "IT", "infantortoddler": "IT",
    "pr": "PR", "preschool": "PR", "earlyeducation": "PR",
    "pk": "PK", "prek": "PK", "prekindergarten": "PK", "preschoolprekindergarten": "PK",
    "tk": "TK", "transitionalkindergarten": "TK", "transitionalk": "TK",
    "kg": "KG", "k": "KG", "gradek": "KG", "grk": "KG", "kindergarten": "KG", "kinder": "KG", "kindergartenfullday": "KG",
    "kindergartenhalfday": "KG", "00": "KG", "0": "KG",
    "ps": "PS", "postsecondary": "PS",
    "ug": "UG", "ungraded": "UG",
    "other": OTHER, "adulteducation": OTHER,
}
_ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                  "eleventh", "twelfth", "thirteenth")
# Not "Year 3": in England and Wales that is a US 2nd grade, so it is shown as sent.
_NUMBER = re.compile(r"^(?:grade|gr|g)?(\d{1,2})(?:st|nd|rd|th)?(?:grade|gr)?$")


def grade_level(value: str | None) -> str | None:
    """The CEDS code for what the SIS sent ("KG", "02", "Other"), or None when it is empty or unknown."""
    if value is None:
        return None
    text = str(value).strip()
    if "#" in text:  # an Ed-Fi descriptor URI: the code value follows the '#'
        text = text.rsplit("#", 1)[1]
    if re.match(r"^-\s*\d", text):  # a negative number is no grade
        return None
    folded = re.sub(r"[\s.\-_/]+", "", text.lower())
    if not folded:
        return None
    if folded in _NAMED:
        return _NAMED[folded]
    for number, word in enumerate(_ORDINAL_WORDS, start=1):
        if folded in (word, word + "grade", "grade" + word):
            return f"{number:02d}"
    found = _NUMBER.match(folded)
    if found:
        number = int(found.group(1))
        if number == 0:
            return "KG"
        if 1 <= number <= 13:
            return f"{number:02d}"
    return None


def grade_words(value: str | None) -> tuple[str, bool] | None:
    """How to show a grade level: (English msgid, True) for a known grade, (the SIS's own text, False) for a
    value this rule does not know (shown as sent, never guessed), None for nothing to show (empty, Other)."""
    code = grade_level(value)
    if code == OTHER:
        return None
    if code is not None:
        return GRADE_WORDS[code], True
    text = (value or "").strip()
    return (text, False) if text else None
