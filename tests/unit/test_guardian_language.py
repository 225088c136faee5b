"""Which language a guardian is written to in: the account's choice, then the SIS's, then English."""

import pytest

from app.rules.languages import language_for_guardian, sis_language_code

SUPPORTED = {"en", "es"}


@pytest.mark.parametrize("value, code", [
    ("es", "es"), ("ES", "es"), ("es-MX", "es"), ("es_US", "es"), ("spa", "es"), ("Spanish", "es"),
    ("uri://ed-fi.org/LanguageDescriptor#spa", "es"), ("uri://ed-fi.org/LanguageDescriptor#eng", "en"),
    (" vie ", "vi"), ("", None), (None, None), ("Klingon", None), ("x1", None),
])
def test_sis_language_values_as_producers_send_them(value, code):
    assert sis_language_code(value) == code


def test_the_accounts_choice_wins_over_the_sis():
    assert language_for_guardian("en", "spa", SUPPORTED) == "en"
    assert language_for_guardian("es", "eng", SUPPORTED) == "es"


def test_without_an_account_the_sis_language_is_used_when_the_portal_has_it():
    assert language_for_guardian(None, "uri://ed-fi.org/LanguageDescriptor#spa", SUPPORTED) == "es"
    assert language_for_guardian(None, "vie", SUPPORTED) == "en"  # no Vietnamese catalog yet
    assert language_for_guardian(None, None, SUPPORTED) == "en"
