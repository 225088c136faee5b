"""Issue 13 item 6: a grade level in words ("2nd grade", not "grade 02"), from the OneRoster (CEDS) codes and
the messier values real SIS files carry, in English and Spanish."""

from __future__ import annotations

import pytest

from app.i18n import grade_in_words, using_language
from app.rules.grade_levels import GRADE_WORDS, grade_level, grade_words

ONEROSTER_CODES = {
    "IT": "Infant or toddler", "PR": "Preschool", "PK": "Pre-K", "TK": "Transitional kindergarten",
    "KG": "Kindergarten", "01": "1st grade", "02": "2nd grade", "03": "3rd grade", "04": "4th grade",
    "05": "5th grade", "06": "6th grade", "07": "7th grade", "08": "8th grade", "09": "9th grade",
    "10": "10th grade", "11": "11th grade", "12": "12th grade", "13": "13th grade", "PS": "Postsecondary",
    "UG": "Ungraded",
}


@pytest.mark.parametrize(("code", "words"), ONEROSTER_CODES.items())
def test_every_oneroster_code_has_its_words(code, words):
    assert grade_level(code) == code
    assert grade_words(code) == (words, True)


def test_other_says_nothing_to_a_parent_so_nothing_is_shown():
    assert grade_level("Other") == "Other"
    assert grade_words("Other") is None
    assert grade_words("other") is None


@pytest.mark.parametrize(("sent", "code"), [
    ("2", "02"), ("02", "02"), (" 02 ", "02"), ("Grade 2", "02"), ("grade 02", "02"), ("GRADE-2", "02"),
    ("2nd", "02"), ("2nd grade", "02"), ("Second grade", "02"), ("Gr. 2", "02"), ("G2", "02"),
    ("12", "12"), ("Twelfth grade", "12"), ("13", "13"), ("1", "01"), ("1st Grade", "01"),
    ("K", "KG"), ("k", "KG"), ("Kindergarten", "KG"), ("0", "KG"), ("00", "KG"), ("Grade K", "KG"), ("Gr. K", "KG"),
    ("Pre-K", "PK"), ("PreK", "PK"), ("pre-kindergarten", "PK"), ("Preschool/Prekindergarten", "PK"),
    ("TK", "TK"), ("Transitional Kindergarten", "TK"), ("Infant/toddler", "IT"), ("Early Education", "PR"),
    ("Postsecondary", "PS"), ("ungraded", "UG"), ("Adult Education", "Other"),
    ("uri://ed-fi.org/GradeLevelDescriptor#Second grade", "02"),
    ("uri://ed-fi.org/GradeLevelDescriptor#Kindergarten", "KG"),
])
def test_messy_values_read_as_the_code_they_mean(sent, code):
    assert grade_level(sent) == code


@pytest.mark.parametrize("sent", ["14", "99", "-1", "2.5", "Junior", "grade two-ish", "3rd and 4th", "Year 3"])
def test_a_value_the_rule_does_not_know_is_shown_as_sent_never_guessed(sent):
    assert grade_level(sent) is None
    assert grade_words(sent) == (sent, False)


@pytest.mark.parametrize("sent", [None, "", "   "])
def test_nothing_sent_shows_nothing(sent):
    assert grade_words(sent) is None


@pytest.mark.parametrize(("sent", "english", "spanish"), [
    ("02", "2nd grade", "2.º grado"), ("1", "1st grade", "1.er grado"), ("3", "3rd grade", "3.er grado"),
    ("KG", "Kindergarten", "Kínder"), ("PK", "Pre-K", "Prekínder"), ("12", "12th grade", "12.º grado"),
    ("Junior", "Junior", "Junior"), ("Other", "", ""),
])
def test_words_in_each_language(sent, english, spanish):
    with using_language("en"):
        assert grade_in_words(sent) == english
    with using_language("es"):
        assert grade_in_words(sent) == spanish


def test_every_code_is_translated_into_spanish():
    with using_language("es"):
        untranslated = [words for words in GRADE_WORDS.values() if grade_in_words_of(words) == words]
    assert untranslated == []


def grade_in_words_of(msgid: str) -> str:
    from app.i18n import gettext

    return gettext(msgid)
