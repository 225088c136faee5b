"""`--output FILE` and `--report CSV`: the files a command writes besides standard output, by one rule
(app/new_files.py): a new file in a folder that exists, or an existing file only with `--replace`. main()
checks them before the command does any work, so a typo in a path never costs an import run."""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, TextIO

from app.new_files import REPLACE_FLAG, check_new_file, open_new

OPTIONS = ("output", "report")


def add_output_arguments(command: argparse.ArgumentParser, *, example: str, output: bool = True,
                         report: bool = False) -> None:
    """--output FILE and/or --report CSV, and the --replace they share. `example`: a file name to suggest when
    a folder is given."""
    if output:
        command.add_argument("--output", type=Path, metavar="FILE",
                             help=f"write here instead of standard output: a new file (or an existing one with "
                                  f"{REPLACE_FLAG})")
    if report:
        command.add_argument("--report", type=Path, metavar="CSV",
                             help=f"also write every problem to this CSV (file, line, column, severity, message): "
                                  f"a new file (or an existing one with {REPLACE_FLAG})")
    which = "--output" if output else "--report"
    command.add_argument(REPLACE_FLAG, action="store_true",
                         help=f"let {which} write over a file that exists" + (
                             " (the import itself is the same either way)" if report else ""))
    command.set_defaults(output_example=example)


def check_outputs(args: argparse.Namespace) -> None:
    """Raise PathWrong or FileInTheWay (app/new_files.py) unless every output file given may be written."""
    for option in OPTIONS:
        path = getattr(args, option, None)
        if path is not None:
            example = args.output_example if option == "output" else "problems.csv"
            check_new_file(path, option=f"--{option}", example=example, replace=args.replace)


@contextmanager
def output_file(args: argparse.Namespace) -> Iterator[TextIO]:
    """--output's file (created new unless --replace), or standard output. A new file the command then fails
    to fill is removed, so running the command again is not refused for a file it left half-written."""
    if args.output is None:
        yield sys.stdout
        return
    existed = args.output.exists()
    with open_new(args.output, replace=args.replace) as handle:
        try:
            yield handle
        except BaseException:
            if not existed:
                handle.close()
                args.output.unlink(missing_ok=True)
            raise
