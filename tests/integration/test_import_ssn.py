"""`homeroom import ssn` (issue 5): SSNs become keyed hashes at once; the plaintext is written nowhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.integration import leaks
from tests.integration.roster_files import dump_tables, full_set_11, write_set

PROJECT_ROOT = Path(__file__).parents[2]
ANA_SSN, BEN_SSN = "219-09-9999", "078 05 1120"


async def roster(tmp_path: Path) -> None:
    from app.importers.oneroster import import_oneroster

    assert not (await import_oneroster(write_set(tmp_path / "roster", full_set_11()))).has_errors


def ssn_file(path: Path, lines: list[str]) -> Path:
    path.write_text("studentSourcedId,studentNumber,ssn\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


async def test_ssns_are_stored_only_as_keyed_hashes(clean_database, tmp_path):
    from app.importers.ssn import import_ssn
    from app.rules.ssn import ssn_digest
    from app.settings import get_settings
    from app.tables import Person

    leaks.remember(ANA_SSN, leaks.SSN)
    leaks.remember("219099999", leaks.SSN)
    await roster(tmp_path)
    report = await import_ssn(ssn_file(tmp_path / "ssn.csv", [f"stu-ana,,{ANA_SSN}", f",1002,{BEN_SSN}"]))
    assert not report.has_errors, report.lines()
    pepper = get_settings().ssn_pepper
    ana = await Person.objects().where(Person.source_id == "stu-ana").first()
    assert ana.ssn_hash == ssn_digest(pepper, "219099999")
    assert ana.ssn_last4_hash == ssn_digest(pepper, "9999")
    ben = await Person.objects().where(Person.source_id == "stu-ben").first()
    assert ben.ssn_hash == ssn_digest(pepper, "078051120")
    dump = repr(await dump_tables())
    assert "219099999" not in dump and ANA_SSN not in dump and "9999'" not in dump

    again = await import_ssn(ssn_file(tmp_path / "ssn.csv", [f"stu-ana,,{ANA_SSN}", f",1002,{BEN_SSN}"]))
    assert again.counts["students' SSN hashes"] == 0


async def test_a_bad_ssn_is_named_by_line_without_repeating_it_and_nothing_changes(clean_database, tmp_path):
    await roster(tmp_path)
    before = await dump_tables()
    path = ssn_file(tmp_path / "ssn.csv", [f"stu-ana,,{ANA_SSN}", "stu-ben,,219-09-999", "stu-zed,,123456789"])
    result = subprocess.run([sys.executable, "-m", "app.cli", "import", "ssn", str(path), "--report",
                             str(tmp_path / "problems.csv")], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            env=os.environ.copy(), timeout=120)
    assert result.returncode == 1
    assert "ERROR: ssn.csv, line 3, column ssn: is not 9 digits" in result.stderr
    assert "ERROR: ssn.csv, line 4, column studentSourcedId: 'stu-zed' is not a student in Homeroom" in result.stderr
    everything = result.stdout + result.stderr + (tmp_path / "problems.csv").read_text()
    for secret in (ANA_SSN, "219099999", "219-09-999", "123456789", "9999"):
        assert secret not in everything
    assert await dump_tables() == before


async def test_a_file_without_its_header_line_does_not_echo_the_ssn(clean_database, tmp_path):
    from app.importers.ssn import import_ssn

    await roster(tmp_path)
    path = tmp_path / "noheader.csv"
    path.write_text(f"stu-ana,{ANA_SSN}\n", encoding="utf-8")
    report = await import_ssn(path)
    assert report.has_errors
    text = "\n".join(report.lines())
    assert ANA_SSN not in text and "column ssn: this required column is missing" in text
