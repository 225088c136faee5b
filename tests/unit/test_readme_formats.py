"""The README documents the SSN and attendance files (issue 15 item 8) in the words `--help` uses: both come
from the importer's FileFormat, so a column added to the code and not to the README fails here."""

from pathlib import Path

import pytest

from app.importers import attendance, ssn

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("importer", [ssn, attendance], ids=["ssn", "attendance"])
def test_the_readme_describes_the_file_as_the_code_reads_it(importer):
    assert importer.FORMAT.markdown() in README
    for column in importer.COLUMNS.known:
        assert f"| `{column}` |" in README
