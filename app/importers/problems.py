"""What an import found wrong or odd, said so a district clerk can act on it.

An error stops the whole run (nothing is changed); a warning is printed and the run goes on. Problems with
the same file, column and wording are grouped, so a file with 40,000 blank emails gives one line that names
the first lines and counts the rest, not 40,000 lines. Messages never quote a cell's value unless the caller
put it there on purpose (the SSN import never does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO

from app.csv_files import write_csv
from app.rules.bidi import one_line

LINES_SHOWN = 12  # line numbers printed per group; `--report FILE` lists every one
VALUES_NAMED = 12  # values one kind of warning names one by one (`ImportReport.named_warning`)

# app/rules/bidi.py: what the CSV reader and the Ed-Fi fields say when they take such characters out.
BREAKS_MADE_SPACES = ("has line breaks, tabs or control characters in a value (a title, a name, a description is "
                      "one line on pages and in emails); each is read as a space")
DIRECTIONAL_CONTROLS_REMOVED = ("has invisible characters that change the direction of text (U+202A-U+202E, "
                                "U+2066-U+2069), which would turn the words around it on pages; they are removed")


@dataclass
class ProblemGroup:
    severity: str  # error | warning
    file: str
    column: str
    message: str
    lines: list[int] = field(default_factory=list)
    count: int = 0
    place: tuple[str, str, str] = ("line", "lines", "column")  # JSON imports: array index, field

    def describe(self) -> str:
        where = self.file or "(run)"
        one, many, column = self.place
        if self.count and self.lines:
            shown = ", ".join(str(n) for n in self.lines[:LINES_SHOWN])
            more = self.count - min(len(self.lines), LINES_SHOWN)
            noun = one if self.count == 1 else many
            where += f", {noun} {shown}" + (f" and {more:,} more" if more > 0 else "")
        if self.column:
            where += f", {column} {self.column}"
        return f"{self.severity.upper()}: {where}: {self.message}"


class ImportReport:
    """Collects problems; `errors` decides whether anything may be written."""

    KEPT_LINES = 1000  # per group, for the --report file; the count goes on
    LINES = ("line", "lines", "column")  # CSV files: "line 12, column email"
    RECORDS = ("array index", "array indexes", "field")  # JSON arrays: "array index 3, field telephones[0]"

    def __init__(self, place: tuple[str, str, str] = LINES) -> None:
        self.place = place
        self._groups: dict[tuple[str, str, str, str], ProblemGroup] = {}
        self.counts: dict[str, int] = {}  # what was written, for the summary ("persons: 120 written")
        self.added: dict[str, int] = {}  # of counts[label], how many rows are new (the rest changed)
        self.dry_run = False  # everything was worked out and written, then rolled back
        self.notes: list[str] = []
        self._errors = 0
        self._named: dict[str, set[str]] = {}

    def _add(self, severity: str, file: str, line: int | None, column: str, message: str) -> None:
        if severity == "error":
            self._errors += 1
        key = (severity, file, column, message)
        group = self._groups.get(key)
        if group is None:
            # One line each, whatever a file put in its name, a header or a value quoted: a terminal escape in a
            # column's header reached the terminal and the --report file (an attacker's find).
            group = self._groups[key] = ProblemGroup(severity, one_line(file), one_line(column), one_line(message),
                                                     place=self.place)
        if line is not None:
            group.count += 1
            if len(group.lines) < self.KEPT_LINES:
                group.lines.append(line)

    def error(self, file: str, line: int | None, column: str, message: str) -> None:
        self._add("error", file, line, column, message)

    def warning(self, file: str, line: int | None, column: str, message: str) -> None:
        self._add("warning", file, line, column, message)

    def named_warning(self, kind: str, file: str, line: int, column: str, message: str, beyond: str) -> None:
        """A warning whose words name a value (a day, a class, another line), so that each value makes a group
        of its own: only the first VALUES_NAMED values of a `kind` do; the lines with any other value join one
        group worded `beyond` ("... as on the days named above"), so a file with a slip on every other line
        still prints a screenful, not thousands of lines."""
        named = self._named.setdefault(kind, set())
        if message not in named:
            if len(named) >= VALUES_NAMED:
                message = beyond
            else:
                named.add(message)
        self.warning(file, line, column, message)

    def note(self, text: str) -> None:
        self.notes.append(text)

    @property
    def groups(self) -> list[ProblemGroup]:
        # Errors first; among them, those about a whole file or its header (line 1) before those about its lines:
        # the rest often follows from them (a file that could not be read makes other files' references unknown).
        return sorted(self._groups.values(), key=lambda g: (g.severity != "error", bool(g.lines and g.lines[0] > 1),
                                                             g.file, g.lines[0] if g.lines else 0, g.column))

    @property
    def errors(self) -> list[ProblemGroup]:
        return [g for g in self.groups if g.severity == "error"]

    @property
    def warnings(self) -> list[ProblemGroup]:
        return [g for g in self.groups if g.severity == "warning"]

    def file_unreadable(self, file: str) -> bool:
        """Whether an error is about `file` as a whole or its header (line 1): its rows were not read."""
        return any(g.severity == "error" and g.file == file and (not g.lines or g.lines[0] == 1)
                   for g in self._groups.values())

    @property
    def has_errors(self) -> bool:
        return self._errors > 0

    def error_count(self) -> int:
        return sum(max(g.count, 1) for g in self._groups.values() if g.severity == "error")

    def lines(self) -> list[str]:
        return [g.describe() for g in self.groups]

    def write_csv(self, out: IO[str]) -> None:
        """Every problem, one line each: file,line,column,severity,message (for a spreadsheet, so through the one
        CSV writer: a message quotes the SIS's values, which may start with '='); JSON imports say array index
        and field instead of line and column."""
        def rows():
            for group in self.groups:
                for line in group.lines or [None]:
                    yield [group.file, "" if line is None else line, group.column, group.severity, group.message]
                if group.count > len(group.lines):
                    yield [group.file, "", group.column, group.severity,
                           f"(and {group.count - len(group.lines):,} more lines like this)"]

        write_csv(out, ["file", self.place[0], self.place[2], "severity", "message"], rows(), for_spreadsheet=True)


class ImportAborted(Exception):
    """Raised inside the write transaction to roll it back; the report says why (or it was a dry run)."""
