"""app/rules/language_switch.py: where the language switcher may send the browser back to."""

from __future__ import annotations

import pytest

from app.rules.language_switch import HOME, language_choice, return_path


@pytest.mark.parametrize("typed, back", [
    ("/forgot-password", "/forgot-password"),
    ("/students/abc/grades?term=t1", "/students/abc/grades?term=t1"),
    ("/request-key?lang=en", "/request-key"),  # an email's language would be chosen again on arrival
    ("/reset?token=x&lang=es&from=mail", "/reset?token=x&from=mail"),
    ("/x?language=es", "/x?language=es"),  # only `lang` itself
    ("https://evil.example/", HOME), ("//evil.example", HOME), ("/\\evil.example", HOME), ("", HOME),
    ("evil", HOME), ("/a b", HOME), ("/" + "a" * 600, HOME),
])
def test_back_is_a_path_of_this_site_without_an_emails_language(typed, back):
    assert return_path(typed) == back


def test_only_a_language_the_portal_has_is_chosen():
    assert language_choice("es", {"en", "es"}) == "es"
    assert language_choice("fr", {"en", "es"}) is None and language_choice("", {"en", "es"}) is None
