"""The files the command line writes (`--output FILE`, `--report CSV`, `homeroom backup PATH`): one rule for all,
checked before any work starts (issue 15 item 8).

- A folder given as the file, or a file in a folder that does not exist, is a usage error (exit 2): the
  command typed names the wrong thing.
- A file that already exists is refused (exit 1) unless the command's `--replace` is given; a backup is
  always a new file. The file is then opened with "x" (create, never overwrite), so a file that appears
  meanwhile is refused too, never overwritten.
- A folder that may not be written to is refused (exit 1) before the work, not after it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO


class PathWrong(Exception):
    """The path typed names no place for a new file (a usage error: fix the command)."""


class FileInTheWay(Exception):
    """The file exists (and may not be replaced), or its folder may not be written to."""


REPLACE_FLAG = "--replace"


def check_new_file(path: Path, *, option: str, example: str, replace: bool = False,
                   replace_flag: str | None = REPLACE_FLAG) -> None:
    """Raise PathWrong or FileInTheWay unless `path` may be written. `option` names what was typed ("--output",
    "PATH"); `example` is a file name to suggest when a folder was given; `replace_flag` None: never replaced."""
    path = Path(path)
    if path.is_dir():
        raise PathWrong(f"{path} is a folder: give {option} a file name, e.g. {path / example}")
    if not path.parent.is_dir():
        raise PathWrong(f"the folder {path.parent} does not exist: create it first or choose another {option}")
    if path.exists() and not replace:
        remedy = f"add {replace_flag} to write over it, or choose" if replace_flag else "choose"
        raise FileInTheWay(f"{path} already exists: {remedy} a new file for {option}")
    if not os.access(path.parent, os.W_OK):
        raise FileInTheWay(f"the folder {path.parent} may not be written to: choose another {option}")


def open_new(path: Path, *, replace: bool = False) -> TextIO:
    """A CSV or HTML file to write, after check_new_file: never over an existing file unless `replace`."""
    return open(path, "w" if replace else "x", newline="", encoding="utf-8")
