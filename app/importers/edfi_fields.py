"""Reading one Ed-Fi document's fields, with a located message for every field that cannot be understood.
Pure: no database. A field path is written as Ed-Fi's JSON has it (`studentReference.studentUniqueId`,
`telephones[1].telephoneNumber`)."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from app.importers.dates import BadDate, read_iso_day
from app.importers.problems import BREAKS_MADE_SPACES, DIRECTIONAL_CONTROLS_REMOVED, ImportReport
from app.rules.bidi import has_breaks_or_controls, one_line, without_directional_controls

MISSING = object()

def descriptor_value(text: str) -> str:
    """`uri://ed-fi.org/AttendanceEventCategoryDescriptor#Excused Absence` -> `Excused Absence`; a bare value
    (some producers send one) is itself."""
    return text.rsplit("#", 1)[-1].strip()


class Fields:
    """One document's fields. Every problem goes to the report at (where, index, field path); `ok` turns
    False at the first error, so the caller knows to skip the document."""

    def __init__(self, report: ImportReport, where: str, index: int, document: Any) -> None:
        self.report, self.where, self.index = report, where, index
        self.document = document if isinstance(document, dict) else {}
        self.ok = isinstance(document, dict)
        if not self.ok:
            report.error(where, index, "", "each element of the array must be a JSON object (one resource)")

    def error(self, path: str, message: str) -> None:
        self.ok = False
        self.report.error(self.where, self.index, path, message)

    def warning(self, path: str, message: str) -> None:
        self.report.warning(self.where, self.index, path, message)

    def raw(self, path: str, within: Any = None) -> Any:
        node: Any = self.document if within is None else within
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return MISSING
            node = node[part]
        return node

    def text(self, path: str, *, required: bool = True, longest: int = 255, within: Any = None,
             prefix: str = "", identifier: bool = False) -> str:
        """A string field (an identifier may also be a JSON integer, as Ed-Fi's schoolId is). Empty when
        absent or null and not required."""
        value = self.raw(path, within)
        shown = prefix + path
        if value is MISSING or value is None or value == "":
            if required:
                self.error(shown, "is missing" if value is MISSING else "is empty")
            return ""
        if identifier and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.error(shown, f"must be a {'string or integer' if identifier else 'string'}, not "
                              f"{_json_kind(value)}")
            return ""
        value = value.strip()
        if len(value) > longest:
            self.error(shown, f"is longer than {longest} characters")
            return ""
        if has_breaks_or_controls(value):  # a paragraph of its own in a text email, or an isolate ended early
            self.warning(shown, BREAKS_MADE_SPACES)  # as the CSV reader does: one reason must not stop an import
            value = one_line(value).strip()
        if not value.isascii():
            value = unicodedata.normalize("NFC", value)  # "José" decomposed would not match "José" typed
        if not value.isascii() and (cleaned := without_directional_controls(value)) != value:
            self.warning(shown, DIRECTIONAL_CONTROLS_REMOVED)
            value = cleaned.strip()
        if required and not value:
            self.error(shown, "is empty")
        return value

    def day(self, path: str, *, within: Any = None, prefix: str = "") -> date | None:
        text = self.text(path, within=within, prefix=prefix)
        if not text:
            return None
        try:
            # Ed-Fi dates are YYYY-MM-DD; a date-time (some producers send midnight) keeps its date.
            return read_iso_day(text, hint="Ed-Fi dates are YYYY-MM-DD")
        except BadDate as bad:
            self.error(prefix + path, f"'{text[:40]}' {bad}")
            return None

    def flag(self, path: str, *, within: Any = None, prefix: str = "") -> bool | None:
        value = self.raw(path, within)
        if value is MISSING or value is None:
            return None
        if not isinstance(value, bool):
            self.error(prefix + path, f"must be true or false, not {_json_kind(value)}")
            return None
        return value

    def number(self, path: str, *, within: Any = None) -> float | None:
        value = self.raw(path, within)
        if value is MISSING or value is None or value == "":
            return None
        if isinstance(value, str):  # some producers send numericGradeEarned as a string, as DS 2/3 had it
            try:
                value = float(value)
            except ValueError:
                self.error(path, f"'{value[:40]}' is not a number")
                return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or \
                value in (float("inf"), float("-inf")):
            self.error(path, f"must be a number, not {_json_kind(value)}")
            return None
        return float(value)

    def items(self, path: str) -> list[tuple[str, dict]]:
        """The objects of an array field, each with its path (`telephones[2].`); absent or null is none."""
        value = self.raw(path)
        if value is MISSING or value is None:
            return []
        if not isinstance(value, list):
            self.error(path, f"must be an array, not {_json_kind(value)}")
            return []
        found = []
        for n, item in enumerate(value):
            if isinstance(item, dict):
                found.append((f"{path}[{n}].", item))
            else:
                self.error(f"{path}[{n}]", f"must be an object, not {_json_kind(item)}")
        return found

    def has(self, path: str) -> bool:
        return self.raw(path) not in (MISSING, None)


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
