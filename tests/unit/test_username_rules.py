import pytest

from app.rules.usernames import is_well_formed, username_errors, username_key


@pytest.mark.parametrize("username", ["abc", "Parent2026", "a" * 30, "ABC123"])
def test_letters_and_digits_from_3_to_30_are_accepted(username):
    assert username_errors(username) == []
    assert is_well_formed(username)


@pytest.mark.parametrize("username", ["gıthub", "ＡＢＣ", "١٢٣", "a b", "a<b", "jo_doe", "émile"])
def test_only_ascii_letters_and_digits_are_accepted(username):
    errors = username_errors(username)
    assert [e.field for e in errors] == ["username"]
    assert "letters A to Z" in errors[0].message
    assert not is_well_formed(username)


@pytest.mark.parametrize("username", ["ab", "a" * 31])
def test_length_outside_3_to_30_is_refused_with_the_limits(username):
    (error,) = username_errors(username)
    assert error.params == {"min": 3, "max": 30}


def test_empty_username_asks_for_one():
    assert username_errors("   ")[0].message == "Enter a username"


def test_usernames_compare_without_regard_to_case():
    assert username_key("Alice") == username_key("alice") == username_key(" ALICE ")
