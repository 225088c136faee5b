"""The one CSV writer: every cell a spreadsheet would run as a formula is neutralised (OWASP CSV Injection),
and files for spreadsheets keep their accents (UTF-8 with a byte-order mark)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, strategies as st

from app.csv_files import csv_text, neutralise

HOSTILE = ["=1+2", "+1+2", "-1+2", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://evil.example","x")',
           "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_a_spreadsheet_would_run_starts_with_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Maria López", "12 Oak St", "a=b", "Apt 2-B", "", "30030", "o'Brien"])
def test_ordinary_cells_are_written_as_they_are(value):
    assert neutralise(value) == value


def test_none_is_an_empty_cell_and_numbers_are_text():
    assert neutralise(None) == "" and neutralise(42) == "42" and neutralise(-5) == "'-5"


def test_a_spreadsheet_file_starts_with_a_byte_order_mark_and_keeps_accents():
    text = csv_text(["name"], [["José Núñez"]], for_spreadsheet=True)
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert text == '\ufeff"name"\r\n"José Núñez"\r\n'
    assert csv_text(["name"], [["José"]], for_spreadsheet=False) == '"name"\r\n"José"\r\n'  # quoted too


def test_a_spreadsheet_file_quotes_every_cell_so_no_separator_starts_a_formula():
    """An attacker's find (issue 13): a spreadsheet that splits on semicolons started a new cell, a formula, at
    the `=` of an address with no comma in it, written unquoted."""
    address = "6384 Holly Way;=cmd|' /C calc'!A0"
    assert csv_text(["a"], [[address]], for_spreadsheet=False) == f'"a"\r\n"{address}"\r\n'  # an SIS file too
    text = csv_text(["address"], [[address]], for_spreadsheet=True)
    assert text == '\ufeff"address"\r\n"6384 Holly Way;=cmd|\' /C calc\'!A0"\r\n'
    read = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=";"))
    assert read[1] == [address]  # split on semicolons, the quoted cell is still one cell


@given(st.lists(st.lists(st.text(), min_size=3, max_size=3), max_size=5))
def test_no_cell_of_any_file_starts_a_formula_and_every_cell_reads_back(rows):
    text = csv_text(["a", "b", "c"], rows, for_spreadsheet=False)
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert read[0] == ["a", "b", "c"]
    assert len(read) == len(rows) + 1
    for typed, written in zip(rows, read[1:]):
        for value, cell in zip(typed, written):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
            assert cell == (value if cell == value else "'" + value)


def test_the_progress_count_includes_a_last_line_without_a_line_break():
    """An IT lead's find: "importing att.csv: 2 rows" for a file of 3 data rows saved without a final line break."""
    import io

    from app.importers.csv_reading import CsvFile, count_lines

    for text, rows in ((b"a,b\n1,2\n3,4\n5,6", 3), (b"a,b\n1,2\n3,4\n5,6\n", 3), (b"a,b\r\n1,2\r\n", 1), (b"a,b", 0),
                       (b"", 0)):
        assert count_lines(CsvFile("att.csv", lambda text=text: io.BytesIO(text))) == rows, text


def test_a_stage_of_one_row_says_row():
    import io

    from app.importers.progress import Progress

    out = io.StringIO()
    with Progress(out).stage("writing schools", 1) as stage:
        stage.advance(1)
    assert out.getvalue().startswith("writing schools: 1 row in ")


def test_a_zip_that_unpacks_to_far_more_than_real_records_do_is_refused_before_reading(tmp_path):
    """An attacker's find: a 448 KB zip of 3,000,000 identical rows took the import past 2.4 GB of memory."""
    import zipfile

    import pytest

    from app.importers.csv_reading import ZIP_SIZE_JUDGED, CsvFolder, UnreadableSource

    bomb = tmp_path / "roster.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("enrollments.csv", "w", force_zip64=True) as entry:
            row = b"enr-1,,,cls-1,sch-1,stu-1,student,,,\n"
            for _ in range(ZIP_SIZE_JUDGED // len(row) + 1000):
                entry.write(row)
        archive.writestr("users.csv", "sourcedId\nstu-1\n")
    with pytest.raises(UnreadableSource) as refused:
        CsvFolder(bomb)
    assert "enrollments.csv would unpack to 64 MiB from" in str(refused.value)
    assert "if it is real, unzip it and import the folder" in str(refused.value)
    fine = tmp_path / "small.zip"
    with zipfile.ZipFile(fine, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.csv", "sourcedId\n" + "stu-1\n" * 100_000)  # very packable, but small
    assert CsvFolder(fine).find("users.csv") is not None
