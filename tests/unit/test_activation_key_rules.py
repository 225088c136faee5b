import math
import re

import pytest

from app.rules.activation_keys import ALPHABET, LENGTH, format_key, key_digest, new_key, normalise_key


def test_a_key_has_128_bits_of_randomness_in_32_characters():
    assert len(set(ALPHABET)) == 16 and LENGTH == 32
    assert LENGTH * math.log2(len(ALPHABET)) == 128


def test_a_key_is_8_groups_of_4_with_no_look_alike_characters():
    key = new_key()
    assert re.fullmatch(r"([%s]{4}-){7}[%s]{4}" % (ALPHABET, ALPHABET), key)
    assert not set("0O1I5S8B") & set(ALPHABET)


def test_keys_do_not_repeat():
    assert len({new_key() for _ in range(200)}) == 200


def test_case_spaces_and_dashes_do_not_matter():
    key = new_key()
    sloppy = key.lower().replace("-", " ")
    assert normalise_key(sloppy) == normalise_key(key) == key.replace("-", "")


def test_what_cannot_be_a_key_normalises_to_none():
    assert normalise_key("") is None
    assert normalise_key("2" * 31) is None
    assert normalise_key("O" * 32) is None
    assert normalise_key("2" * 33) is None


def test_the_stored_digest_is_not_the_key():
    normalised = normalise_key(new_key())
    assert key_digest(normalised) != normalised and len(key_digest(normalised)) == 64


def test_format_key_groups_by_four():
    assert format_key("2" * 32).count("-") == 7


# Issue 13 item 9: what is wrong with a key's shape, for a plain message.
@pytest.mark.parametrize("typed, problem", [
    ("2222-3333-4444-6666-7777-9999-CCCC-DDDo", ("letter", "O")),
    ("2222 3333 4444 6666 7777 9999 CCCC DD1D", ("number", "1")),
    ("S222-3333-4444-6666-7777-9999-CCCC-DDDD", ("letter", "S")),
    ("2222-3333-4444-6666-7777-9999-CCCC-DDD", ("length", 31)),
    ("", ("length", 0)),
    ("2222-3333-4444-6666-7777-9999-CCCC-DDD%", ("character", "%")),
    ("2222-3333-4444-6666-7777-9999-CCCC-DDDÖ", ("character", "Ö")),
    ("2222-3333-4444-6666-7777-9999-CCCC-DDDD", None),
])
def test_key_typing_problem(typed, problem):
    from app.rules.activation_keys import key_typing_problem

    assert key_typing_problem(typed) == problem
