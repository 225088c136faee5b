"""app/importers/problems.py: what an import says is always one plain line per problem."""

from __future__ import annotations

from app.importers.problems import ImportReport


def test_a_terminal_escape_in_a_header_or_value_never_reaches_the_output():
    """A column's header went to the terminal and the --report file as the file had it: an escape sequence could
    retitle the terminal or erase the warnings printed above it (an attacker's find)."""
    report = ImportReport()
    report.warning("esc\x1b[2K.csv", 2, "\x1b]0;PWNED\x07\x1b[31mRED", "has\nthis \x1b[1A value")
    (line,) = report.lines()
    assert "\x1b" not in line and "\x07" not in line and "\n" not in line
    assert line == "WARNING: esc [2K.csv, line 2, column  ]0;PWNED  [31mRED: has this  [1A value"
