"""Reading the district's CSV files: from a folder or a zip, header checking, line numbers, and the value
formats real exports use. Pure: no database.

Headers: a column is matched exactly, or by one of its other names (`aliases`, in any case, quietly); failing
that, any of its names without regard to case, spaces, dashes, underscores or dots ("Event Date" for the alias
"eventDate"), to a known spelling mistake ("sourceId" for "sourcedId"), or to a close match of its name
("dateLastModifed"). Each of those is a WARNING naming the file and the column and saying what it was read as,
and the column is read (only OneRoster's warning adds that its headers are case-sensitive: Homeroom's own file
kinds are matched in any case). The same rule, in `match_header`, for every import. Two headers that could both
be one column, with no column of that exact name, are an ERROR: which one is meant is not for Homeroom to guess
(a header written twice alike is a WARNING, and the first is read). A column nobody knows is a WARNING and is
ignored; `metadata.*` columns (OneRoster's extension point) are ignored quietly. A required column that is
missing is an ERROR on line 1, which names an ignored header that looks like it.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Callable

from app.importers.problems import BREAKS_MADE_SPACES, DIRECTIONAL_CONTROLS_REMOVED, ImportReport
from app.rules.bidi import has_breaks_or_controls, one_line, without_directional_controls
from app.importers.dates import BadDate, read_roster_day

csv.field_size_limit(1 << 24)


class BadValue(ValueError):
    """A cell that cannot be read; the message is for the clerk and never repeats the cell."""


class UnreadableSource(Exception):
    """The path is neither a folder nor a zip of CSV files (a usage error: exit code 2)."""


# ---------------------------------------------------------------------------------------------- where files are


@dataclass(frozen=True)
class CsvFile:
    name: str  # the name as found ("userProfiles.csv"), used in every message
    opener: Callable[[], IO[bytes]]

    def open_bytes(self) -> IO[bytes]:
        return self.opener()


class CsvFolder:
    """The CSV files of a folder or a zip (files at the root, or in one folder inside the zip)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._files: dict[str, CsvFile] = {}
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.is_file() and child.suffix.lower() == ".csv":
                    self._files[child.name.lower()] = CsvFile(child.name, lambda p=child: p.open("rb"))
        elif path.is_file() and zipfile.is_zipfile(path):
            archive = zipfile.ZipFile(path)
            names = [n for n in archive.namelist() if n.lower().endswith(".csv") and not n.startswith("__MACOSX")]
            for name in sorted(names):
                _refuse_a_bomb(path, archive.getinfo(name))
                base = name.rsplit("/", 1)[-1]
                self._files.setdefault(base.lower(), CsvFile(base, lambda n=name: archive.open(n)))
        elif not path.exists():
            raise UnreadableSource(f"{path}: no such file or folder")
        else:
            raise UnreadableSource(f"{path}: not a folder or a zip file of CSV files")

    def find(self, name: str) -> CsvFile | None:
        """The file called `name` (e.g. "users.csv"), found without regard to case."""
        return self._files.get(name.lower())

    def names(self) -> list[str]:
        return [f.name for f in self._files.values()]


# A CSV of real records packs 5 to 30 times smaller; one packed far smaller than that and large unpacked is a
# "zip bomb" (an attacker's find: 448 KB unpacking to 3,000,000 identical rows took the import past 2.4 GB).
# zipfile reads no more of an entry than its declared size, so the declared size is the one to judge.
ZIP_RATIO_REFUSED = 100
ZIP_SIZE_JUDGED = 64 * 1024 * 1024


def _refuse_a_bomb(path: Path, entry: zipfile.ZipInfo) -> None:
    if entry.file_size > ZIP_SIZE_JUDGED and entry.file_size > ZIP_RATIO_REFUSED * max(entry.compress_size, 1):
        raise UnreadableSource(
            f"{path}: {entry.filename} would unpack to {entry.file_size / 2**20:,.0f} MiB from "
            f"{entry.compress_size / 2**10:,.0f} KiB, more than {ZIP_RATIO_REFUSED} times its packed size (real "
            "records pack 5 to 30 times): it is not read; if it is real, unzip it and import the folder")


def single_file(path: Path) -> CsvFile:
    if path.is_dir():
        raise UnreadableSource(f"{path}: a folder, not a CSV file")
    if not path.is_file():
        raise UnreadableSource(f"{path}: no such file")
    return CsvFile(path.name, lambda: path.open("rb"))


# ------------------------------------------------------------------------------------------------------ headers


@dataclass(frozen=True)
class ColumnsExpected:
    """The columns a file may have. `aliases` are other names accepted without a warning (documented ones).
    `standard`: the standard whose headers are exact and case-sensitive ("OneRoster"), named in the warning
    when a header is read that the standard would not accept; empty for Homeroom's own file kinds, whose
    headers are matched without regard to case by definition."""

    known: tuple[str, ...]
    required: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()  # (alias, column)
    standard: str = ""

    def __post_init__(self) -> None:
        names: dict[str, str] = {}
        for name, column in [(k, k) for k in self.known] + list(self.aliases):
            assert names.setdefault(_squash(name), column) == column, (
                f"{name!r} and another name of {names[_squash(name)]!r} are one spelling: which is meant?")

    def names_of(self, column: str) -> tuple[str, ...]:
        """Every name `column` is read from: its own, then its aliases."""
        return (column, *(alias for alias, of in self.aliases if of == column))


def _squash(name: str) -> str:
    """Lower-case, no separators, and the common 'sourceId' for 'sourcedId' mistake undone."""
    squashed = re.sub(r"[\s_\-.]", "", name.strip().lower())
    return re.sub(r"sourceid", "sourcedid", squashed)


def _looks_like_data(header: str) -> bool:
    return sum(c.isdigit() for c in header) >= 4


def _guess(name: str, expected: ColumnsExpected) -> tuple[str, str] | None:
    """The known column an unmatched header stands for, and which of its names the header is a spelling of:
    any of its names (its own or an alias) the same but for case, spaces, dashes, underscores, dots or
    'sourceId'; else a close spelling of its own name. None when there is none (or the header looks like
    data)."""
    squashed = {_squash(k): (k, k) for k in expected.known}
    for alias, column in expected.aliases:
        squashed.setdefault(_squash(alias), (column, alias))
    guess = squashed.get(_squash(name))
    if guess is None and not _looks_like_data(name):
        close = difflib.get_close_matches(name.lower(), [k.lower() for k in expected.known], n=1, cutoff=0.85)
        if close:
            column = next(k for k in expected.known if k.lower() == close[0])
            guess = (column, column)
    return guess


def _looks_like(header: str, column: str, expected: ColumnsExpected) -> bool:
    """Whether an ignored header is close enough to one of a missing column's names to ask if it is the one
    (the quick bounds first, as difflib.get_close_matches does: a header of a million characters costs nothing)."""
    for name in expected.names_of(column):
        match = difflib.SequenceMatcher(None, _squash(header), _squash(name))
        if match.real_quick_ratio() >= 0.75 and match.quick_ratio() >= 0.75 and match.ratio() >= 0.75:
            return True
    return False


def _read_as(name: str, column: str, expected: ColumnsExpected, spelling: str = "") -> str:
    """The warning for a header read as `column`: what was done, and why the file still deserves a look.
    `spelling`: the column's other name (an alias) the header is a spelling of, if it is one."""
    if spelling and spelling != column:
        how = f"is another spelling of '{spelling}', another name of that column"
    else:
        how = ("differs from it only in case" if name.lower() == column.lower()
               else "is another spelling of it")
    if expected.standard:
        return (f"read as '{column}' (the header {how}; {expected.standard} headers are case-sensitive and "
                f"exact, so other programs may not read it)")
    return f"read as '{column}' (the header {how})"


def match_header(file: str, header: list[str], expected: ColumnsExpected,
                 report: ImportReport) -> dict[str, int] | None:
    """Column name -> position. Warnings for odd headers; None (with errors) if a required column is missing,
    or two headers could both be the same column and neither is its exact name."""
    names = [raw.strip().lstrip("\ufeff") for raw in header]
    positions: dict[str, int] = {}
    for index, name in enumerate(names):  # a column's own name, exactly, first: it wins over any other spelling
        if name in expected.known and name not in positions:
            positions[name] = index
    aliases = {alias.lower(): column for alias, column in expected.aliases}
    read = set(positions.values())
    seen: set[str] = set()
    guesses: dict[str, list[tuple[int, str, str, str]]] = {}  # column -> the headers that could be it
    unknown: list[tuple[str, str]] = []  # the headers ignored as no column's, to ask about a missing column
    for index, name in enumerate(names):
        if index in read:
            continue
        shown = f"number {index + 1}" if _looks_like_data(name) else repr(name)
        if not name:
            report.warning(file, 1, f"number {index + 1}", "this column has no name; it is ignored")
            continue
        if name in seen or name in positions:
            report.warning(file, 1, shown, "this column appears twice; the first one is read")
            continue
        seen.add(name)
        if name.lower() in aliases:
            guess: tuple[str, str] | None = (aliases[name.lower()], "")  # a documented name: no warning
        else:
            guess = _guess(name, expected)
        if guess is None and name.startswith("metadata."):
            continue
        if guess is not None and guess[0] in positions:
            report.warning(file, 1, shown, f"could be '{guess[0]}', but a column has that exact name and is read; "
                                           f"this one is ignored")
        elif guess is not None:
            guesses.setdefault(guess[0], []).append((index, name, shown, guess[1]))
        elif _looks_like_data(name):
            report.warning(file, 1, shown, "the header looks like data: is the header row missing? "
                                           "This column is ignored")
        else:
            unknown.append((name, shown))
            report.warning(file, 1, shown, "Homeroom does not know this column; it is ignored")

    ambiguous = False
    for column, candidates in guesses.items():
        if len(candidates) == 1:
            index, name, shown, spelling = candidates[0]
            positions[column] = index
            if spelling:
                report.warning(file, 1, shown, _read_as(name, column, expected, spelling))
            continue
        ambiguous = True
        listed = " and ".join(shown for _, _, shown, _ in candidates)
        report.error(file, 1, column, f"the columns {listed} could each be '{column}': rename all but one, or "
                                      f"name one exactly '{column}'")

    missing = [c for c in expected.required if c not in positions and c not in guesses]
    for column in missing:
        like = [shown for name, shown in unknown if _looks_like(name, column, expected)]
        ask = f" (is {' or '.join(like[:3])} it? name it {column})" if like else ""  # 3: a line, not a list
        report.error(file, 1, column, f"this required column is missing from the header{ask}")
    return None if missing or ambiguous else positions


@dataclass(frozen=True)
class FileFormat:
    """A one-file import's CSV, said once for `homeroom import KIND --help`, from the columns the code reads.
    Every known column must be described (checked when the importer is loaded), so a column added to the
    code without a word in the help fails at once instead of going undocumented."""

    columns: ColumnsExpected
    described: dict[str, str]  # column -> what it holds and the values allowed
    example: tuple[str, ...]  # the header line, then rows
    rows: str = "one row per line"

    def __post_init__(self) -> None:
        assert set(self.described) == set(self.columns.known), (
            f"describe exactly the columns read: {sorted(set(self.columns.known) ^ set(self.described))}")

    def _aliases(self) -> dict[str, list[str]]:
        """Each column's other accepted names."""
        aliases: dict[str, list[str]] = {}
        for alias, column in self.columns.aliases:
            aliases.setdefault(column, []).append(alias)
        return aliases

    def help(self) -> str:
        import textwrap

        aliases = self._aliases()
        width = max(len(c) for c in self.columns.known) + 2
        text = [textwrap.fill(
            f"FILE: UTF-8 CSV (a BOM is fine), a header line, then {self.rows}; columns in any order. Header names "
            "are matched without regard to case, spaces, dashes or underscores (a column's other names, below, as "
            "well as its own), each with a WARNING that says what it was read as. Columns (* required):", 100)]
        for column in self.columns.known:
            mark = "*" if column in self.columns.required else " "
            words = self.described[column]
            if column in aliases:
                words += f"; also read from a column named {' or '.join(aliases[column])}"
            text.append(textwrap.fill(words, 100, initial_indent=f"  {column:<{width}}{mark} ",
                                      subsequent_indent=" " * (width + 4), break_on_hyphens=False))
        text.append("example:")
        text += [f"  {line}" for line in self.example]
        return "\n".join(text)

    def markdown(self) -> str:
        """The same, as the README's table of columns and example (tests/unit/test_readme_formats.py checks
        that the README says exactly this)."""
        aliases = {column: [f"`{alias}`" for alias in names] for column, names in self._aliases().items()}
        lines = ["| column | required | holds |", "|---|---|---|"]
        for column in self.columns.known:
            words = self.described[column].replace("|", "\\|")
            if column in aliases:
                words += f"; also read from a column named {' or '.join(aliases[column])}"
            lines.append(f"| `{column}` | {'yes' if column in self.columns.required else ''} | {words} |")
        return "\n".join([*lines, "", "```csv", *self.example, "```"])


# --------------------------------------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class CsvRow:
    line: int  # the line the row starts on, 1 = the header
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


LONGER_KEPT = 100  # lines with empty fields past the header's kept to name in the report


def read_records(csv_file: CsvFile, expected: ColumnsExpected,
                 report: ImportReport) -> tuple[dict[str, int] | None, Iterator[tuple[int, list[str]]]]:
    """The header's column positions (None if unusable), and every non-blank data line as (line, cells).

    Cells are as written (not stripped), less directional controls, and with line breaks and control
    characters made spaces (app/rules/bidi.py; the line's report says so). Stops, with an error, at text that
    is not UTF-8."""
    raw = csv_file.open_bytes()
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        report.error(csv_file.name, 1, "", "the file is empty: it needs at least a header line")
        raw.close()
        return None, iter(())
    except UnicodeDecodeError:
        # The reader decodes a block at a time: a Windows-1252 "é" on line 3 fails the header's read. Say where.
        raw.close()
        line = _first_line_not_utf8(csv_file)
        report.error(csv_file.name, line, "", "the text is not UTF-8 from here on: save the file as UTF-8 CSV"
                     if line > 1 else "the header line cannot be read: save the file as UTF-8 CSV")
        return None, iter(())
    except csv.Error:
        report.error(csv_file.name, 1, "", "the header line cannot be read: save the file as UTF-8 CSV")
        raw.close()
        return None, iter(())
    separator = next((name for mark, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars"))
                      if len(header) == 1 and header[0].count(mark) >= 1), None)
    if separator:
        # Excel saves "CSV" with semicolons where the comma is the decimal mark (most of Europe and Latin
        # America): the whole header reads as one unknown column, and every other message would follow from that.
        report.error(csv_file.name, 1, "", f"the fields are separated by {separator}, not commas: save the file "
                     "as CSV with commas (in Excel: CSV UTF-8 (Comma delimited))")
        raw.close()
        return None, iter(())
    positions = match_header(csv_file.name, header, expected, report)
    if positions is None:
        raw.close()
        return None, iter(())

    names = {at: name for name, at in positions.items()}

    def column_of(at: int) -> str:
        """A column as the report names it: Homeroom's name for a column it reads, else the file's header."""
        return names.get(at) or (header[at].strip() if at < len(header) else "")

    def records() -> Iterator[tuple[int, list[str]]]:
        width = len(header)
        line = reader.line_num + 1
        # Lines with empty fields past the header's, by their number of fields: the first LONGER_KEPT of each
        # length, and how many. A trailing comma on every data line gives them all one length.
        longer: dict[int, list[int]] = defaultdict(list)
        longer_count: Counter[int] = Counter()
        exact = 0
        try:
            for cells in reader:
                start = line
                line = reader.line_num + 1
                if not (cells and cells[0].strip()) and not "".join(cells).strip():
                    continue  # an empty line, or one of commas only (spreadsheets leave them at the end)
                if len(cells) > width and not "".join(cells[width:]).strip():
                    # Empty fields past the header's: a trailing comma on every data line (some SIS exports), or a
                    # value's unquoted comma on a line whose last field was empty. Every line so: the first;
                    # some only: the second (reported when the file ends).
                    if len(longer[len(cells)]) < LONGER_KEPT:
                        longer[len(cells)].append(start)
                    longer_count[len(cells)] += 1
                    cells = cells[:width]
                elif len(cells) > width:
                    # A value with a comma in it and no quotes ("gua-1,gua-2", "Smith, Jr."): every field after it
                    # has slid one column on (a grade read as a school's name), so the line is not read at all.
                    report.error(csv_file.name, start, "",
                                 f"this line has {len(cells)} fields where the header has {width}: a value with a "
                                 "comma in it (a list such as gua-1,gua-2, or a name such as Smith, Jr.) must be "
                                 "in double quotes, or every field after it moves one column on")
                    continue
                elif len(cells) == width:
                    exact += 1
                if len(cells) < width:
                    if not cells or (len(cells) == 1 and not cells[0].strip()):
                        continue
                    report.warning(csv_file.name, start, "",
                                   f"this line has {len(cells)} fields where the header has {width}; the "
                                   "missing ones at the end are read as empty")
                    cells = cells + [""] * (width - len(cells))
                if not all(cell.isascii() for cell in cells):
                    # NFC: "José" typed on a Mac or exported by some SIS comes decomposed (e + U+0301), and
                    # would not match "José" typed in a search box. The same text, so nothing to say.
                    cells = [unicodedata.normalize("NFC", cell) for cell in cells]
                    cleaned = [without_directional_controls(cell) for cell in cells]
                    for at in (i for i, (old, new) in enumerate(zip(cells, cleaned)) if old != new):
                        report.warning(csv_file.name, start, column_of(at), DIRECTIONAL_CONTROLS_REMOVED)
                    cells = cleaned
                # str.isprintable, in C, clears almost every line at once (a tab or a mark makes it look closer).
                if not "".join(cells).isprintable() and any(has_breaks_or_controls(cell) for cell in cells):
                    for at in (i for i, cell in enumerate(cells) if has_breaks_or_controls(cell)):
                        report.warning(csv_file.name, start, column_of(at), BREAKS_MADE_SPACES)
                    cells = [one_line(cell) for cell in cells]
                yield start, cells
            # Most lines' length is the usual one (the header's, or with a trailing comma one more): a line longer
            # than that had an unquoted comma, and the empty field it pushed out hid it. A line of the header's
            # length among trailing-comma lines is fine (every field is there).
            lengths = Counter(longer_count)
            if exact:
                lengths[width] += exact
            usual = max(lengths, key=lambda n: (lengths[n], -n)) if lengths else width
            for length in sorted(n for n in longer_count if n > usual):
                for at in longer[length]:
                    report.error(csv_file.name, at, "", f"this line has {length} fields where most lines have "
                                 f"{usual}: a value with a comma in it (a list such as gua-1,gua-2, or a name such as "
                                 "Smith, Jr.) must be in double quotes, or every field after it moves one column on")
                if longer_count[length] > len(longer[length]):
                    report.error(csv_file.name, None, "", f"{longer_count[length] - len(longer[length]):,} more "
                                 f"lines have {length} fields where most lines have {usual}")
        except UnicodeDecodeError:
            report.error(csv_file.name, line, "", "the text is not UTF-8 from here on: save the file as UTF-8 CSV")
        except csv.Error as problem:
            report.error(csv_file.name, line, "", f"the CSV cannot be read here ({problem})")
        finally:
            raw.close()

    return positions, records()


def _first_line_not_utf8(csv_file: CsvFile) -> int:
    """The number of the first line (1 = the header) that is not UTF-8; 1 when none can be found."""
    with csv_file.open_bytes() as raw:
        for number, line in enumerate(raw, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1


def read_rows(csv_file: CsvFile, expected: ColumnsExpected, report: ImportReport) -> Iterator[CsvRow]:
    """Every data row with its line number and its cells by column name (stripped)."""
    positions, records = read_records(csv_file, expected, report)
    if positions is None:
        return
    items = list(positions.items())
    for line, cells in records:
        yield CsvRow(line, {name: cells[i].strip() for name, i in items})


def count_lines(csv_file: CsvFile) -> int:
    """A quick estimate of the data lines (for a progress bar): lines minus the header. The last line counts
    whether or not a line break ends it (a file saved without one said "2 rows" for 3: an IT lead's find)."""
    count, last = 0, b"\n"
    with csv_file.open_bytes() as raw:
        while block := raw.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return max(count + (last != b"\n") - 1, 0)


def read_header(csv_file: CsvFile) -> list[str]:
    with csv_file.open_bytes() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        return next(csv.reader(text), [])


# ------------------------------------------------------------------------------------------------------- values

def parse_date(text: str) -> tuple[date, bool]:
    """A OneRoster date, and whether it was in a format OneRoster does not use (app/importers/dates.py)."""
    try:
        return read_roster_day(text)
    except BadDate as bad:
        raise BadValue(str(bad)) from None


_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0", ""}


def parse_flag(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise BadValue("is not true or false")


def parse_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise BadValue("is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise BadValue("is not a number")
    return value


def split_list(text: str) -> list[str]:
    """OneRoster lists are comma-separated inside one cell ("a,b"); blanks are dropped."""
    return [part.strip() for part in text.split(",") if part.strip()] if text else []
