"""Reading Ed-Fi fields (app/importers/edfi_fields.py): descriptors, dates, numbers, identifiers and the
field paths problems are reported at."""

from __future__ import annotations

from datetime import date

from app.importers.edfi_fields import Fields, descriptor_value
from app.importers.problems import ImportReport


def fields(document) -> tuple[Fields, ImportReport]:
    report = ImportReport(ImportReport.RECORDS)
    return Fields(report, "grades.json", 4, document), report


def test_descriptor_values_come_from_the_uri_or_are_given_bare():
    assert descriptor_value("uri://ed-fi.org/AttendanceEventCategoryDescriptor#Excused Absence") == "Excused Absence"
    assert descriptor_value("Tardy") == "Tardy"
    assert descriptor_value("uri://district.example/GradeTypeDescriptor#Grading Period ") == "Grading Period"


def test_dates_take_a_date_time_at_its_date_and_refuse_other_shapes():
    f, report = fields({"a": "2026-03-09", "b": "2026-03-09T00:00:00", "c": "03/09/2026", "d": 20260309})
    assert f.day("a") == date(2026, 3, 9) and f.day("b") == date(2026, 3, 9)
    assert f.day("c") is None and f.day("d") is None and not f.ok
    assert report.lines() == [
        "ERROR: grades.json, array index 4, field c: '03/09/2026' is not a date: Ed-Fi dates are YYYY-MM-DD",
        "ERROR: grades.json, array index 4, field d: must be a string, not a number"]


def test_identifiers_may_be_integers_and_text_may_not():
    f, report = fields({"schoolReference": {"schoolId": 255901107}, "firstName": 7, "flag": "true"})
    assert f.text("schoolReference.schoolId", identifier=True) == "255901107"
    assert f.text("firstName") == ""
    assert f.flag("flag") is None
    assert [g.column for g in report.errors] == ["firstName", "flag"]


def test_numbers_accept_numeric_strings_but_not_words_booleans_or_infinity():
    f, report = fields({"a": 88.5, "b": "91", "c": "eighty", "d": True, "e": "inf"})
    assert f.number("a") == 88.5 and f.number("b") == 91.0
    assert f.number("c") is None and f.number("d") is None and f.number("e") is None
    assert len(report.errors) == 3


def test_array_items_carry_their_path_and_non_objects_are_located():
    f, report = fields({"telephones": [{"telephoneNumber": "404"}, "404-555-0101", None]})
    found = f.items("telephones")
    assert [path for path, _ in found] == ["telephones[0]."]
    assert [g.column for g in report.errors] == ["telephones[1]", "telephones[2]"]
    f.text("telephoneNumberTypeDescriptor", within=found[0][1], prefix=found[0][0])
    assert "telephones[0].telephoneNumberTypeDescriptor" in [g.column for g in report.errors]


def test_a_document_that_is_not_an_object_is_one_error_at_its_index():
    f, report = fields(["not", "an", "object"])
    assert not f.ok
    assert report.lines() == ["ERROR: grades.json, array index 4: each element of the array must be a JSON object "
                              "(one resource)"]


def test_lengths_are_refused_and_line_breaks_and_controls_read_as_spaces():
    """A line break in a reason put a paragraph of its own into an email; refusing it stopped the whole import
    (an attacker's find, issue 13): read as a space, with a warning, as the CSV reader does."""
    f, report = fields({"a": "x" * 17, "b": "bad\x00value", "c": "Doctor\u2028appointment\x85"})
    assert f.text("a", longest=16) == "" and f.text("b") == "bad value" and f.text("c") == "Doctor appointment"
    assert [g.message for g in report.errors] == ["is longer than 16 characters"]
    assert sum("each is read as a space" in line for line in report.lines()) >= 1
