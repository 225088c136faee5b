"""Whole numbers read from text that anyone may send (a query string, a link, a form, an SIS file, a header), and
class periods put in the order of the day by their number."""

from __future__ import annotations


def whole_number(text: str) -> int | None:
    """`text` as a whole number when it is ASCII digits and nothing else ("12" -> 12), else None ("", "-1", " 1",
    "1.5", "²", "１２"). `str.isdigit()` alone takes "²", which `int()` then refuses: a server error anyone could
    ask for with one character in a link (an attacker's find, issue 13)."""
    return int(text) if text.isascii() and text.isdigit() else None


def period_order(period: str, unnumbered: int = -1) -> tuple[int, str]:
    """A class period's place in the day, as a sort key: "2" before "10"; a period that is not a plain number ("HR",
    "1A") at `unnumbered` (before the numbered ones by default), those by their name."""
    number = whole_number(period)
    return (unnumbered if number is None else number, period)
