"""Which addresses reach one mailbox (issue 11, the shared-mailbox rule): a parent whose access to a child is
off must not read mail about that child under a variant of an address on file for them."""

from __future__ import annotations

import pytest

from app.rules.emails import mailbox_key, same_mailbox


@pytest.mark.parametrize("a, b", [
    ("rivera.family@example.org", "rivera.family@example.org"),
    ("Rivera.Family@Example.ORG", "rivera.family@example.org"),  # case
    (" rivera.family@example.org ", "rivera.family@example.org"),  # spaces around it
    ("rivera.family+school@example.org", "rivera.family@example.org"),  # a plus tag
    ("rivera.family+a+b@example.org", "rivera.family+c@example.org"),  # two tags, one mailbox
    ("riverafamily@gmail.com", "rivera.family@gmail.com"),  # Gmail ignores dots
    ("r.i.v.e.r.a.family+kids@googlemail.com", "RiveraFamily@gmail.com"),  # googlemail is gmail
    ("rivera.family@example.org.", "rivera.family@example.org"),  # a trailing dot on the domain
])
def test_variants_of_one_address_are_one_mailbox(a, b):
    assert same_mailbox(a, b) and same_mailbox(b, a)
    assert mailbox_key(a) == mailbox_key(b)


@pytest.mark.parametrize("a, b", [
    ("rivera.family@example.org", "riverafamily@example.org"),  # dots count outside Gmail
    ("rivera.family@example.org", "rivera.family@example.net"),
    ("rivera@gmail.com", "rivera@gmail.co"),
    ("rivera-family@example.org", "rivera@example.org"),  # only "+" is a tag
    ("luis@example.org", "rosa@example.org"),
])
def test_different_mailboxes_stay_different(a, b):
    assert not same_mailbox(a, b)


@pytest.mark.parametrize("value", [None, "", "   ", "no-at-sign", "@example.org", "name@", "name@."])
def test_nothing_is_no_mailbox_and_matches_nothing(value):
    assert mailbox_key(value) is None
    assert not same_mailbox(value, value)


def test_the_key_of_a_plain_address_is_the_address():
    assert mailbox_key("sam.park@example.org") == "sam.park@example.org"
    assert mailbox_key("+tag@example.org") == "+tag@example.org"  # a name that starts with "+" is kept
    assert mailbox_key("Sam.Park@GoogleMail.com") == "sampark@gmail.com"


# --- one home: where a key letter is posted (app/rules/addresses.py home_key) -----------------------------

def test_spellings_of_one_home_are_one_home():
    from app.rules.addresses import home_key

    a = home_key("12 Elm Street", "Apt 3", "Atlanta", "GA", "30303")
    assert a == home_key("12  ELM street", "apt. 3", "ATLANTA", "ga", "30303-1234")
    assert a == home_key("12 Elm Street,", "Apt #3", "Atlanta", "Georgia", "30303")  # the ZIP names the place
    assert home_key("12 Elm Street", "", "Atlanta", "GA", "") == home_key("12 elm street", None, "atlanta", "ga", None)


def test_different_homes_stay_different():
    from app.rules.addresses import home_key

    a = home_key("12 Elm Street", "Apt 3", "Atlanta", "GA", "30303")
    assert a != home_key("12 Elm Street", "Apt 4", "Atlanta", "GA", "30303")
    assert a != home_key("14 Elm Street", "Apt 3", "Atlanta", "GA", "30303")
    assert a != home_key("12 Elm Street", "Apt 3", "Atlanta", "GA", "30305")
    assert home_key("", "Apt 3", "Atlanta", "GA", "30303") is None and home_key(None, None, None, None, None) is None
