"""The `homeroom` command as a district's scripts use it (issue 15 item 8): one line per error, documented
exit codes, output that can be piped to `head`."""

from __future__ import annotations

import os
import re
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


def test_an_output_file_in_a_folder_that_is_not_there_is_one_line_and_exit_2(migrated_database, tmp_path):
    target = tmp_path / "missing" / "changes.csv"
    result = homeroom("export", "household-changes", "--output", str(target))
    assert result.returncode == 2 and one_line(result) == (
        f"homeroom: the folder {tmp_path / 'missing'} does not exist (for {target})")


def test_an_output_file_that_may_not_be_written_is_one_line_and_exit_1(migrated_database, tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    (folder / "changes.csv").mkdir()  # a folder where the file would go: no permission games needed as root
    result = homeroom("export", "household-changes", "--output", str(folder / "changes.csv"))
    assert result.returncode == 1 and one_line(result) == f"homeroom: Is a directory: {folder / 'changes.csv'}"


# --- what an outside tester tripped on (issue 15 item 8) -------------------------------------------------

def sqlite_at(folder: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{folder / 'portal.sqlite3'}", "HOMEROOM_ENV": "test"}


def test_a_backup_into_a_folder_that_is_not_there_says_so_and_is_a_usage_error(tmp_path):
    target = tmp_path / "nightly" / "portal.sqlite3"
    result = homeroom("backup", str(target), **sqlite_at(tmp_path))
    assert result.returncode == 2
    assert one_line(result) == (f"homeroom: the folder {tmp_path / 'nightly'} does not exist: create it first or "
                                "choose another PATH")
    folder = homeroom("backup", str(tmp_path), **sqlite_at(tmp_path))
    assert folder.returncode == 2 and one_line(folder).startswith(f"homeroom: {tmp_path} is a folder: give the new")
    nothing = homeroom("restore", str(tmp_path / "nightly.sqlite3"), **sqlite_at(tmp_path))
    assert nothing.returncode == 2 and one_line(nothing) == f"homeroom: no backup at {tmp_path / 'nightly.sqlite3'}"
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a database


def test_migrate_says_what_it_applied_then_that_the_database_is_current(tmp_path):
    first = homeroom("migrate", **sqlite_at(tmp_path))
    assert first.returncode == 0, first.stderr
    applied = int(re.fullmatch(r"Applied (\d+) migration\(s\) to \S+ \(\S+ to \S+\); it is current now\.\n",
                               first.stdout).group(1))
    assert applied == len(list((PROJECT_ROOT / "piccolo_migrations").glob("homeroom_*.py")))
    again = homeroom("migrate", **sqlite_at(tmp_path))
    assert again.returncode == 0 and again.stdout == (
        f"{tmp_path / 'portal.sqlite3'} is already current: no migration to apply.\n")
    nowhere = homeroom("migrate", DATABASE_URL=f"sqlite:///{tmp_path / 'nowhere' / 'portal.sqlite3'}")
    assert nowhere.returncode == 4 and "the folder" in one_line(nowhere) and "does not exist" in nowhere.stderr


async def test_keys_issue_names_nobody_is_exit_2_and_a_refused_guardian_is_exit_1(district):
    from tests.integration.district import make_account

    unknown = homeroom("keys", "issue", "--guardian", "gua-nobody")
    assert unknown.returncode == 2
    assert one_line(unknown) == "homeroom: no key issued: no guardian with sourcedId 'gua-nobody'"
    refused = homeroom("keys", "issue", "--guardian", "gua-noportal")
    assert refused.returncode == 1 and one_line(refused).startswith("homeroom: no key issued: not an eligible guardian")
    await make_account(district.guardian("rosa"), "rosarivera")
    has_account = homeroom("keys", "issue", "--guardian", "gua-rosa")
    assert has_account.returncode == 1 and "already has a portal account" in one_line(has_account)


def test_an_import_of_a_folder_as_a_file_says_it_is_a_folder(migrated_database, tmp_path):
    result = homeroom("import", "ssn", str(tmp_path))
    assert result.returncode == 2 and one_line(result) == f"SSN import: {tmp_path}: a folder, not a CSV file"


def test_the_mail_worker_without_a_relay_is_a_configuration_error(migrated_database):
    result = homeroom("mail-worker", HOMEROOM_SMTP_URL="")
    assert result.returncode == 3
    assert one_line(result) == "homeroom: HOMEROOM_SMTP_URL is not set: there is nothing to deliver to"


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
    for command in (["access", "block"], ["import", "ssn"], ["export", "household-changes"], ["serve"]):
        text = homeroom(*command, "--help").stdout
        assert "(default: None)" not in text and "(default: False)" not in text, text  # only real defaults
    assert "(default: today)" in homeroom("access", "block", "--help").stdout


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
