"""app/rules/numbers.py: whole numbers from text anyone may send, and class periods in the day's order."""

import pytest

from app.rules.numbers import period_order, whole_number


@pytest.mark.parametrize("text, number", [("12", 12), ("0", 0), ("007", 7), ("", None), ("-1", None), (" 1", None),
                                          ("1.5", None), ("\u00b2", None), ("\uff11\uff12", None), ("\u0661", None)])
def test_whole_number(text, number):
    assert whole_number(text) == number


def test_periods_in_the_order_of_the_day():
    assert sorted(["10", "2", "HR", "1A", "\u00b2", "1"], key=period_order) == ["1A", "HR", "\u00b2", "1", "2", "10"]
    assert sorted(["3", "HR", "1"], key=lambda p: period_order(p, unnumbered=10**6)) == ["1", "3", "HR"]
