"""The pure rules behind the household page: the school year, phone numbers and addresses."""

from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from app.rules.addresses import STATE_CODES, address_errors, tidy_address
from app.rules.phones import check_phone
from app.rules.school_year import school_year_label, school_year_of


@pytest.mark.parametrize(("day", "year"), [
    (date(2025, 8, 1), 2026),  # the first day of a school year
    (date(2025, 12, 31), 2026),
    (date(2026, 1, 1), 2026),
    (date(2026, 6, 30), 2026),
    (date(2026, 7, 31), 2026),  # summer still belongs to the year that ended
    (date(2026, 8, 1), 2027),
])
def test_the_school_year_runs_from_august_and_is_named_by_the_year_it_ends(day, year):
    assert school_year_of(day) == year


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(9998, 12, 31)))
def test_a_school_year_changes_only_on_the_first_of_august(day):
    following = day + timedelta(days=1)
    changes = school_year_of(following) != school_year_of(day)
    assert changes == (following.month == 8 and following.day == 1)
    if changes:
        assert school_year_of(following) == school_year_of(day) + 1


def test_a_school_year_reads_as_its_two_calendar_years():
    assert school_year_label(2026) == "2025–2026"


@pytest.mark.parametrize(("typed", "e164"), [
    ("404-802-1000", "+14048021000"),
    ("(404) 802 1000", "+14048021000"),
    ("1 404 802 1000", "+14048021000"),
    ("  +1.404.802.1000 ", "+14048021000"),
    ("+44 20 7946 0958", "+442079460958"),
    ("+52 55 1234 5678", "+525512345678"),
])
def test_phone_numbers_are_stored_in_e164_with_the_us_as_the_default_country(typed, e164):
    assert check_phone(typed).e164 == e164


@pytest.mark.parametrize(("typed", "start"), [
    ("", "Enter a phone number"),
    ("   ", "Enter a phone number"),
    ("802-1000", "This phone number has too few digits"),
    ("404 802 1000 1234 5", "This phone number has too many digits"),
    ("phone", "Enter a phone number using digits"),
    ("+999 123 4567", "The country code"),
    ("555-555-5555", "This is not a phone number that can be dialed"),
    ("4" * 41, "Enter a phone number, like"),
    ("404\n802 1000", "Enter a phone number, like"),
])
def test_phone_numbers_that_cannot_be_used_say_why(typed, start):
    check = check_phone(typed)
    assert check.e164 is None and check.problem.startswith(start)


@given(st.text(max_size=60))
def test_any_typed_phone_gets_a_number_or_a_reason(typed):
    check = check_phone(typed)
    assert (check.e164 is None) != (check.problem is None)
    if check.e164:
        assert check.e164.startswith("+") and check.e164[1:].isdigit() and len(check.e164) <= 16


def test_an_address_is_tidied_before_it_is_checked():
    address = tidy_address("  12   Maple  St ", "", " Atlanta ", " ga ", "30303 1234")
    assert (address.line1, address.city, address.state, address.postal_code) == (
        "12 Maple St", "Atlanta", "GA", "30303-1234")
    assert address_errors(address) == []


@pytest.mark.parametrize(("fields", "errors"), [
    (("", "", "", "", ""), ["address_line1", "city", "state", "postal_code"]),
    (("1 Main St", "", "Macon", "XX", "31201"), ["state"]),
    (("1 Main St", "", "Macon", "GA", "3120"), ["postal_code"]),
    (("1 Main St", "", "Macon", "GA", "31201-12"), ["postal_code"]),
    (("1 Main St", "", "Macon", "GA", "٣١٢٠١"), ["postal_code"]),  # digits, but not ASCII ones
    (("1 Main St\x00", "x" * 256, "Macon", "GA", "31201"), ["address_line1", "address_line2"]),
    (("1 Main St", "", "Macon", "PR", "00901"), []),
])
def test_address_errors_name_each_field_in_form_order(fields, errors):
    assert [e.field for e in address_errors(tidy_address(*fields))] == errors


def test_every_state_code_is_two_capital_letters():
    assert len(STATE_CODES) == 60 and all(len(code) == 2 and code.isupper() for code in STATE_CODES)


# Issue 13 item 11: an extension is never silently dropped; it is refused, saying which one was typed.
@pytest.mark.parametrize(("typed", "extension"), [
    ("(404) 555-0123 ext. 42", "42"), ("404-555-0123 x42", "42"), ("404 555 0123 #42", "42"),
    ("404-555-0123 extension 4242", "4242"), ("+1 404 555 0123;ext=7", "7"),
])
def test_a_number_with_an_extension_is_refused_plainly(typed, extension):
    check = check_phone(typed)
    assert check.e164 is None
    assert check.problem.startswith("Phone numbers are saved without extensions, and this one has ext. %(extension)s")
    assert check.params == {"extension": extension}
