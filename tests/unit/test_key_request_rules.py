"""The online key request's form rules (docs/design.md §4.7): the shape of what was typed, never whether it matches."""

from __future__ import annotations

from datetime import date

import pytest

from app.rules.key_requests import check_key_request, decision_reason_errors, parse_birth_date

TODAY = date(2026, 3, 10)
TYPED = {"requester_name": "  Rosa   Rivera ", "relationship": "mother", "email": "Rosa@Example.ORG",
         "phone": "(404) 555-0134", "student_number": " S-1234 ", "ssn": "123 45 6789", "birth_date": "04/27/2017"}


def test_a_well_formed_request_is_normalised():
    details, errors = check_key_request(TYPED, ssn_mode="full", today=TODAY)
    assert errors == []
    assert (details.requester_name, details.email, details.phone, details.student_number, details.ssn,
            details.birth_date) == ("Rosa Rivera", "rosa@example.org", "+14045550134", "S-1234", "123456789",
                                    date(2017, 4, 27))


def test_last_four_mode_wants_exactly_four_digits():
    assert check_key_request({**TYPED, "ssn": "6789"}, ssn_mode="last4", today=TODAY)[0].ssn == "6789"
    _, errors = check_key_request(TYPED, ssn_mode="last4", today=TODAY)
    assert [e.field for e in errors] == ["ssn"]


def test_every_problem_is_listed_in_the_forms_order():
    empty = {name: "" for name in TYPED}
    _, errors = check_key_request(empty, ssn_mode="full", today=TODAY)
    assert [e.field for e in errors] == list(TYPED)


def test_no_error_message_repeats_what_was_typed():
    _, errors = check_key_request({**TYPED, "ssn": "123-45-678x"}, ssn_mode="full", today=TODAY)
    assert all("123" not in e.message and not e.params for e in errors)


@pytest.mark.parametrize("typed, expected", [
    ("04/27/2017", date(2017, 4, 27)), ("2017-04-27", date(2017, 4, 27)), ("4/7/2017", date(2017, 4, 7)),
    ("2027-01-01", None), ("1899-12-31", None), ("31/31/2017", None), ("yesterday", None), ("", None),
    ("10-24-2013", date(2013, 10, 24)),  # with dashes, as parents type it
    (" 04/27/2017 ", date(2017, 4, 27)), ("4/27/17", None), ("27/04/2017", None), ("02/29/2016", date(2016, 2, 29)),
    ("02/29/2017", None), ("2017/04/27", None), ("04.27.2017", None),
    ("０４/２７/２０１７", date(2017, 4, 27)),  # a phone keyboard in full-width mode: understood, so taken
])
def test_birth_dates_are_month_day_year_or_iso_and_in_the_past(typed, expected):
    assert parse_birth_date(typed, today=TODAY) == expected


@pytest.mark.parametrize("typed, message", [
    ("02/30/2014", "That date does not exist: check the month and the day, like 04/27/2015"),
    ("4/27/15", "Write the year in full, like 04/27/2015"),
    ("April 27", "Enter the student's date of birth, like 04/27/2015"),
])
def test_a_birth_date_that_cannot_be_read_says_why(typed, message):
    _, errors = check_key_request({**TYPED, "birth_date": typed}, ssn_mode="full", today=TODAY)
    assert [e.message for e in errors if e.field == "birth_date"] == [message]


def test_a_decision_needs_a_short_single_line_reason():
    assert decision_reason_errors("  Not  on file ") == ("Not on file", [])
    assert decision_reason_errors("")[1][0].field == "reason"
    assert decision_reason_errors("x" * 300)[1]


@pytest.mark.parametrize("typed, said", [
    ("02/30/2014", "That date does not exist: check the month and the day, like 04/27/2015"),
    ("2014-02-30", "That date does not exist: check the month and the day, like 04/27/2015"),
    ("yesterday", "Enter the student's date of birth, like 04/27/2015"),
    ("04/27/2030", "Enter the student's date of birth, like 04/27/2015"),  # a real date, not a birth date yet
])
def test_a_date_that_does_not_exist_is_said_so(typed, said):
    """02/30/2014 got "like 04/27/2015" again, which does not say what is wrong (a parent tester's find)."""
    _, errors = check_key_request({**TYPED, "birth_date": typed}, ssn_mode="full", today=TODAY)
    assert [e.message for e in errors if e.field == "birth_date"] == [said]

