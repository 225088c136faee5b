"""What an import found wrong or odd, said so a district clerk can act on it.

An error stops the whole run (nothing is changed); a warning is printed and the run goes on. Problems with
the same file, column and wording are grouped, so a file with 40,000 blank emails gives one line that names
the first lines and counts the rest, not 40,000 lines. Messages never quote a cell's value unless the caller
put it there on purpose (the SSN import never does).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import IO

LINES_SHOWN = 12  # line numbers printed per group; `--report FILE` lists every one


@dataclass
class ProblemGroup:
    severity: str  # error | warning
    file: str
    column: str
    message: str
    lines: list[int] = field(default_factory=list)
    count: int = 0

    def describe(self) -> str:
        where = self.file or "(run)"
        if self.count and self.lines:
            shown = ", ".join(str(n) for n in self.lines[:LINES_SHOWN])
            more = self.count - min(len(self.lines), LINES_SHOWN)
            noun = "line" if self.count == 1 else "lines"
            where += f", {noun} {shown}" + (f" and {more:,} more" if more > 0 else "")
        if self.column:
            where += f", column {self.column}"
        return f"{self.severity.upper()}: {where}: {self.message}"


class ImportReport:
    """Collects problems; `errors` decides whether anything may be written."""

    KEPT_LINES = 1000  # per group, for the --report file; the count goes on

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str, str, str], ProblemGroup] = {}
        self.counts: dict[str, int] = {}  # what was written, for the summary ("persons: 120 written")
        self.notes: list[str] = []
        self._errors = 0

    def _add(self, severity: str, file: str, line: int | None, column: str, message: str) -> None:
        if severity == "error":
            self._errors += 1
        key = (severity, file, column, message)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = ProblemGroup(severity, file, column, message)
        if line is not None:
            group.count += 1
            if len(group.lines) < self.KEPT_LINES:
                group.lines.append(line)

    def error(self, file: str, line: int | None, column: str, message: str) -> None:
        self._add("error", file, line, column, message)

    def warning(self, file: str, line: int | None, column: str, message: str) -> None:
        self._add("warning", file, line, column, message)

    def note(self, text: str) -> None:
        self.notes.append(text)

    @property
    def groups(self) -> list[ProblemGroup]:
        return sorted(self._groups.values(), key=lambda g: (g.severity != "error", g.file,
                                                             g.lines[0] if g.lines else 0, g.column))

    @property
    def errors(self) -> list[ProblemGroup]:
        return [g for g in self.groups if g.severity == "error"]

    @property
    def warnings(self) -> list[ProblemGroup]:
        return [g for g in self.groups if g.severity == "warning"]

    @property
    def has_errors(self) -> bool:
        return self._errors > 0

    def error_count(self) -> int:
        return sum(max(g.count, 1) for g in self._groups.values() if g.severity == "error")

    def lines(self) -> list[str]:
        return [g.describe() for g in self.groups]

    def write_csv(self, out: IO[str]) -> None:
        """Every problem, one line each: file,line,column,severity,message (for a spreadsheet)."""
        writer = csv.writer(out)
        writer.writerow(["file", "line", "column", "severity", "message"])
        for group in self.groups:
            for line in group.lines or [None]:
                writer.writerow([group.file, "" if line is None else line, group.column, group.severity,
                                 group.message])
            if group.count > len(group.lines):
                writer.writerow([group.file, "", group.column, group.severity,
                                 f"(and {group.count - len(group.lines):,} more lines like this)"])


class ImportAborted(Exception):
    """Raised inside the write transaction to roll it back; the report says why."""
