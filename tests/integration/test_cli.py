"""The `homeroom` command as a district's scripts use it (issue 15 item 8): one line per error, documented
exit codes, output that can be piped to `head`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).parents[2]


def homeroom(*args: str, cwd: Path = PROJECT_ROOT, **environment: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **environment}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def one_line(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def test_a_configuration_error_is_one_line_and_exit_3(migrated_database):
    result = homeroom("settings", "show", HOMEROOM_ENV="production")
    assert result.returncode == 3
    assert one_line(result).startswith("homeroom: configuration: production needs ")


@pytest.mark.parametrize("since", ["2026-13-01", "yesterday", "01/02/2026"])
def test_a_bad_day_is_a_usage_error_that_names_it(migrated_database, since):
    result = homeroom("export", "household-changes", "--since", since)
    assert result.returncode == 2 and "is not a day written YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_output_file_that_cannot_be_written_is_one_line_and_exit_1(migrated_database, tmp_path):
    result = homeroom("export", "household-changes", "--output", str(tmp_path / "missing" / "changes.csv"))
    assert result.returncode == 1 and one_line(result) == (
        f"homeroom: No such file or directory: {tmp_path / 'missing' / 'changes.csv'}")


def test_a_missing_sqlite_database_is_exit_4_and_leaves_no_file_behind(tmp_path):
    result = homeroom("settings", "show", cwd=tmp_path, DATABASE_URL="sqlite:///portal.sqlite3",
                      HOMEROOM_ENV="test")
    assert result.returncode == 4
    assert one_line(result).startswith(f"homeroom: no database at {tmp_path / 'portal.sqlite3'}")
    assert not (tmp_path / "portal.sqlite3").exists()


def test_an_unreachable_postgresql_is_exit_4(tmp_path):
    result = homeroom("settings", "show", DATABASE_URL="postgresql://postgres@127.0.0.1:1/nowhere")
    assert result.returncode == 4
    assert one_line(result).startswith("homeroom: the database cannot be reached")


def test_output_to_a_reader_that_went_away_ends_cleanly(migrated_database):
    """`homeroom settings show | head -1`: the reader is gone before the output is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run([sys.executable, "-m", "app.cli", "settings", "show"], cwd=PROJECT_ROOT,
                                stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert result.returncode == 0 and result.stderr == ""


def test_help_gives_defaults_and_exit_codes():
    result = homeroom("serve", "--help")
    assert result.returncode == 0
    assert "(default: 8000)" in result.stdout and "(default: 127.0.0.1)" in result.stdout
    assert "exit codes:" in result.stdout and "4  the database cannot be reached" in result.stdout


async def test_every_command_is_audited_with_the_operating_system_user_and_no_secret(database):
    import getpass

    from app.services import audit
    from app.tables import AuditEvent

    result = homeroom("settings", "set", "password_min_length", "12")
    assert result.returncode == 0, result.stderr
    assert homeroom("settings", "set", "password_min_length", "3").returncode == 2
    await audit.record_command_line(["import", "edfi", "--url", "https://sis.example", "--secret", "hunter2",
                                     "--key=abc"], exit_code=0)
    details = [row["detail"] for row in await AuditEvent.select(AuditEvent.detail).where(
        AuditEvent.action == "command-line").order_by(AuditEvent.id)]
    user = getpass.getuser()
    assert details == [f"{user}: homeroom settings set password_min_length 12 (exit 0)",
                       f"{user}: homeroom settings set password_min_length 3 (exit 2)",
                       f"{user}: homeroom import edfi --url https://sis.example --secret *** --key=*** (exit 0)"]
