"""How an import run ends on the command line: what was written, every problem, and the exit code a nightly
job checks: 0 done (warnings, if any, are printed), 1 errors and nothing was changed, 2 usage (a path that
is not there, a missing argument)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from app.importers.problems import ImportReport

DONE, NOTHING_CHANGED, USAGE = 0, 1, 2
PRINTED = 60  # problem lines on the terminal; `--report FILE` has every one


def summary_lines(report: ImportReport) -> list[str]:
    """Per kind of row: how many are new, changed, made inactive or removed ("people: 3 new, 2 changed")."""
    lines: dict[str, list[str]] = {}
    for label, count in report.counts.items():
        if not count:
            continue
        for ending in (" made inactive", " removed", " lifted"):
            if label.endswith(ending):
                lines.setdefault(label[:-len(ending)], []).append(f"{count:,}{ending}")
                break
        else:
            new = min(report.added.get(label, 0), count)
            parts = lines.setdefault(label, [])
            if label in report.added:
                parts[:0] = [f"{new:,} new"] * bool(new) + [f"{count - new:,} changed"] * bool(count - new)
            else:
                parts.insert(0, f"{count:,} new or changed")
    return [f"{label}: {', '.join(parts)}" for label, parts in lines.items()]


def finish(report: ImportReport, what: str, *, report_file: Path | None = None, replace: bool = False,
           out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Print the problems and the outcome; write every problem to `report_file` (a new file unless `replace`:
    app/new_files.py). Each line on `err` starts "homeroom: ", as every error line of the command does."""
    def say(line: str) -> None:
        print(f"homeroom: {line}", file=err)

    lines = report.lines()
    for line in lines[:PRINTED]:
        say(line)
    if len(lines) > PRINTED:
        hint = f"they are all in {report_file}" if report_file else "run again with --report FILE to get them all"
        say(f"... and {len(lines) - PRINTED:,} more lines of problems ({hint}).")
    for note in report.notes:
        say(f"NOTE: {note}")
    if report_file is not None:
        from app.new_files import open_new

        with open_new(report_file, replace=replace) as handle:
            report.write_csv(handle)
    # How many warnings, and on how many of the file's lines: a group is one printed line for many of the file's
    # ("9 kind(s) of warning" for a file with 5,580 weekend rows told the IT lead nothing: a tester's find).
    warned_lines = sum(g.count for g in report.warnings)
    warnings = (f"{len(report.warnings):,} warning(s) above" + (f", on {warned_lines:,} line(s) of the file"
                                                                 if warned_lines else "")) if report.warnings else ""
    if report.has_errors:
        # The warnings say what a run would do with the lines they name ("the event is imported"): none was (a
        # tester's find: the two read as contradicting each other).
        after = " The warnings above say what a run without errors would do with their lines." if warnings else ""
        say(f"{what}: {report.error_count():,} error(s); NOTHING WAS CHANGED. Fix what is named above and run the "
            f"import again.{after}")
        return NOTHING_CHANGED
    if report.dry_run:
        print(f"{what} (dry run): NOTHING WAS CHANGED. A real run would make these changes:", file=out)
        for line in summary_lines(report) or ["none: Homeroom already matches the file(s)."]:
            print(f"  {line}", file=out)
        if warnings:
            say(f"{what} (dry run): {warnings}.")
        return DONE
    written = ", ".join(f"{label}: {count:,}" for label, count in report.counts.items() if count)
    if written:
        print(f"{what}: done. Rows written (new or changed): {written}.", file=out)
    else:
        print(f"{what}: done. Nothing changed: Homeroom already matches the file(s).", file=out)
    if warnings:
        say(f"{what}: {warnings}; the import went ahead.")
    return DONE
