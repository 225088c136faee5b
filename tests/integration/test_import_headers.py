"""Headers written another way (issue 15 item 8): each file kind's warning says truly what was done. Homeroom's
own CSV kinds (calendar, translations, restrictions, SSN, attendance) match headers in any case, so their
warning says the header was read as the column, never that "OneRoster headers are case-sensitive"; only a
OneRoster file's warning says that. Two headers that could both be one column are an ERROR, never a guess."""

from __future__ import annotations

import pytest

from tests.integration.roster_files import full_set_11, write_set
from tests.integration.test_import_oneroster import messages, run_import

MIS_CASED = {
    "calendar": ("DATE,School,KIND,Description\n2026-09-07,,holiday,Labor Day\n", "date"),
    "translations": ("Kind,SIS_Value,LANGUAGE,Text\nterm,Q1,es,Primer trimestre\n", "sis_value"),
    "restrictions": ("Guardian,STUDENT,Reason\ngua-rosa,stu-ana,court-order\n", "student"),
}


async def run(kind: str, path):
    from importlib import import_module

    return await getattr(import_module(f"app.importers.{kind}"), f"import_{kind}")(path)


async def imported_one_row(kind: str, text: str, tmp_path) -> list[str]:
    """Import a one-row file of `kind`; its report's lines, once the row is seen imported without an error."""
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    report = await run(kind, path)
    assert not report.has_errors, report.lines()
    assert sum(report.counts.values()) == 1  # the row was imported
    return report.lines()


@pytest.mark.parametrize("kind", MIS_CASED)
async def test_a_mis_cased_header_is_read_with_a_warning_that_says_so_and_nothing_about_oneroster(
        district, tmp_path, kind):
    text, column = MIS_CASED[kind]
    lines = await imported_one_row(kind, text, tmp_path)
    shown = next(h for h in text.split("\n")[0].split(",") if h.lower() == column)
    assert f"WARNING: {kind}.csv, line 1, column '{shown}': read as '{column}' (the header differs from it only " \
           f"in case)" in lines, lines
    assert not any("OneRoster" in line for line in lines), lines


async def test_another_spelling_says_so_and_two_candidates_for_one_column_are_an_error(district, tmp_path):
    from app.tables import AccessRestriction

    path = tmp_path / "restrictions.csv"
    path.write_text("guardians,student,reason\ngua-rosa,stu-ana,court-order\n", encoding="utf-8")
    lines = (await run("restrictions", path)).lines()
    assert "WARNING: restrictions.csv, line 1, column 'guardians': read as 'guardian' (the header is another " \
           "spelling of it)" in lines, lines
    await AccessRestriction.delete(force=True)
    path.write_text("Guardian,student,Reason,REASON\ngua-rosa,stu-ana,court-order,other\n", encoding="utf-8")
    report = await run("restrictions", path)
    assert "ERROR: restrictions.csv, line 1, column reason: the columns 'Reason' and 'REASON' could each be " \
           "'reason': rename all but one, or name one exactly 'reason'" in report.lines(), report.lines()
    assert await AccessRestriction.count() == 0
    path.write_text("Guardian,student,reason,REASON\ngua-rosa,stu-ana,court-order,other\n", encoding="utf-8")
    report = await run("restrictions", path)
    assert not report.has_errors, report.lines()
    assert "WARNING: restrictions.csv, line 1, column 'REASON': could be 'reason', but a column has that exact " \
           "name and is read; this one is ignored" in report.lines()
    assert [r["reason"] for r in await AccessRestriction.select(AccessRestriction.reason)] == ["court-order"]


async def test_a_oneroster_header_in_another_case_still_says_oneroster_headers_are_case_sensitive(
        clean_database, tmp_path):
    files = full_set_11()
    files["users"][0] = ["GivenName" if c == "givenName" else c for c in files["users"][0]]
    lines = messages(await run_import(write_set(tmp_path / "set", files)))
    assert any("users.csv, line 1, column 'GivenName': read as 'givenName' (the header differs from it only in "
               "case; OneRoster headers are case-sensitive and exact, so other programs may not read it)" in line
               for line in lines), lines


SPACED_ALIASES = {
    "calendar": ("Date,School ID,Calendar Event,Event\n2026-09-07,sch-oak,holiday,Labor Day\n",
                 {"School ID": ("school", "schoolId"), "Calendar Event": ("kind", "calendarEvent")}),
    "restrictions": ("guardian_sourced_id,Student SourcedId,Reason\ngua-rosa,stu-ana,court-order\n",
                     {"guardian_sourced_id": ("guardian", "guardianSourcedId"),
                      "Student SourcedId": ("student", "studentSourcedId")}),
}


@pytest.mark.parametrize("kind", SPACED_ALIASES)
async def test_a_columns_other_name_written_with_spaces_or_underscores_is_read_with_a_warning(
        district, tmp_path, kind):
    """The same rule for every name a column is known by, in every file kind (an IT lead's find: only a column's
    own name was matched without regard to spaces, dashes and underscores, its other names only in any case)."""
    text, read = SPACED_ALIASES[kind]
    lines = await imported_one_row(kind, text, tmp_path)
    for header, (column, alias) in read.items():
        assert f"WARNING: {kind}.csv, line 1, column '{header}': read as '{column}' (the header is another spelling " \
               f"of '{alias}', another name of that column)" in lines, lines
    assert not any("does not know" in line for line in lines), lines


async def test_a_line_with_more_fields_than_the_header_is_an_error_and_changes_nothing(clean_database, tmp_path):
    """A list of guardians (or "Smith, Jr.") without its quotes moves every later field one column on: an IT lead's
    SIS file put the grade where the school's name goes, and the parent's home page showed "gua-2" as a school. The
    line is refused with why (the run changes nothing); trailing empty fields (a spreadsheet's) are not a problem."""
    from tests.integration.roster_files import dump_tables, full_set_11, write_set
    from tests.integration.test_import_oneroster import run_import

    folder = write_set(tmp_path / "set", full_set_11())
    users = (folder / "users.csv").read_text().splitlines()
    assert '"par-rosa,rel-gran"' in users[1]
    before = await dump_tables()
    (folder / "users.csv").write_text("\n".join([users[0], users[1].replace('"par-rosa,rel-gran"', "par-rosa,rel-gran"),
                                                 *users[2:]]) + "\n")
    report = await run_import(folder)
    assert report.has_errors and await dump_tables() == before, report.lines()
    # Its last field (password) was empty, so the extra one is too: told from a trailing comma by the other lines.
    assert ("ERROR: users.csv, line 2: this line has 19 fields where most lines have 18: a value with a comma "
            "in it (a list such as gua-1,gua-2, or a name such as Smith, Jr.) must be in double quotes, or every field "
            "after it moves one column on") in report.lines(), report.lines()
    # Every data line with a trailing comma, the header without (a common SIS export): the shifted line is the one
    # longer than the others (a retester's find: it imported "gua-2" as the grade).
    (folder / "users.csv").write_text("\n".join([users[0], users[1].replace('"par-rosa,rel-gran"', "par-rosa,rel-gran")
                                                 + ",", *(line + "," for line in users[2:])]) + "\n")
    report = await run_import(folder)
    assert report.has_errors and await dump_tables() == before, report.lines()
    assert ("ERROR: users.csv, line 2: this line has 20 fields where most lines have 19: a value with a comma "
            "in it (a list such as gua-1,gua-2, or a name such as Smith, Jr.) must be in double quotes, or every field "
            "after it moves one column on") in report.lines(), report.lines()
    shifted = users[1].replace('"par-rosa,rel-gran"', "par-rosa,rel-gran").rsplit(",", 1)[0] + ",secret"
    (folder / "users.csv").write_text("\n".join([users[0], shifted, *users[2:]]) + "\n")
    report = await run_import(folder)
    assert report.has_errors and await dump_tables() == before, report.lines()
    assert ("ERROR: users.csv, line 2: this line has 19 fields where the header has 18: a value with a comma in it "
            "(a list such as gua-1,gua-2, or a name such as Smith, Jr.) must be in double quotes, or every field "
            "after it moves one column on") in report.lines(), report.lines()

    (folder / "users.csv").write_text("\n".join([users[0], *(line + ",," for line in users[1:]),
                                                 users[2][:users[2].rindex(",")]]) + "\n")
    report = await run_import(folder)
    assert not report.has_errors, report.lines()
    assert [line for line in report.lines() if "fields" in line] == [
        f"WARNING: users.csv, line {len(users) + 1}: this line has 17 fields where the header has 18; the missing ones "
        "at the end are read as empty"]
    # Trailing commas on every line but one, which has the header's length: every field is there, nothing refused.
    (folder / "users.csv").write_text("\n".join([users[0], users[1], *(line + "," for line in users[2:])]) + "\n")
    report = await run_import(folder)
    assert not report.has_errors, report.lines()


async def test_a_file_saved_with_semicolons_is_told_so_first(clean_database, tmp_path):
    """Excel in a language whose decimal mark is the comma saves "CSV" with semicolons: one line says so, before the
    messages that follow from it (an IT lead's find: the first errors named enrollments' unknown users)."""
    from tests.integration.roster_files import full_set_11, write_set
    from tests.integration.test_import_oneroster import run_import

    folder = write_set(tmp_path / "set", full_set_11())
    users = (folder / "users.csv").read_text()
    (folder / "users.csv").write_text(users.replace(",", ";"))
    report = await run_import(folder)
    assert report.has_errors
    assert ("ERROR: users.csv, line 1: the fields are separated by semicolons, not commas: save the file as CSV "
            "with commas (in Excel: CSV UTF-8 (Comma delimited))") == report.lines()[0], report.lines()
    # ...and no untrue error follows from it (a retester's find: "'stu-1' is not a user in users.csv").
    assert not any("is not a user" in line for line in report.lines()), report.lines()
