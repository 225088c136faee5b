"""The `homeroom` command as a district's scripts use it (issue 15 item 8): one line per error, documented
exit codes, output that can be piped to `head`."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import ON_POSTGRES
from tests.integration.serving import free_port

PROJECT_ROOT = Path(__file__).parents[2]


def homeroom(*args: str, cwd: Path = PROJECT_ROOT, input_text: str = "", **environment: str
             ) -> subprocess.CompletedProcess:
    env = {**os.environ, **environment}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, input=input_text)


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


# Every command with --output, and the file each writes there (a dry run of the letters issues no key).
OUTPUT_COMMANDS = {"household-changes": ("export", "household-changes"),
                   "absence-reports": ("export", "absence-reports"),
                   "letters": ("keys", "letters", "--dry-run")}


@pytest.mark.parametrize("command", OUTPUT_COMMANDS.values(), ids=OUTPUT_COMMANDS.keys())
def test_every_output_option_follows_one_rule_checked_before_any_work(migrated_database, tmp_path, command):
    """A folder that is not there, or a folder given as the file: exit 2. A file that exists: exit 1 and it is
    left as it was, unless --replace. Each is one line."""
    missing = homeroom(*command, "--output", str(tmp_path / "missing" / "out.csv"))
    assert missing.returncode == 2 and one_line(missing) == (
        f"homeroom: the folder {tmp_path / 'missing'} does not exist: create it first or choose another --output")
    folder = homeroom(*command, "--output", str(tmp_path))
    assert folder.returncode == 2
    assert one_line(folder).startswith(f"homeroom: {tmp_path} is a folder: give --output a file name, e.g. {tmp_path}/")
    existing = tmp_path / "out.csv"
    existing.write_text("last night's file\n", encoding="utf-8")
    refused = homeroom(*command, "--output", str(existing))
    assert refused.returncode == 1 and one_line(refused) == (
        f"homeroom: {existing} already exists: add --replace to write over it, or choose a new file for --output")
    assert existing.read_text(encoding="utf-8") == "last night's file\n"
    replaced = homeroom(*command, "--output", str(existing), "--replace")
    assert replaced.returncode == 0, replaced.stderr
    written = existing.read_text(encoding="utf-8-sig")
    assert written != "last night's file\n" and "," in written.splitlines()[0]  # the command's CSV header
    assert "--replace " in homeroom(*command, "--help").stdout


async def test_a_report_file_is_checked_before_the_import_runs(database, tmp_path):
    """--report into a folder that is not there (or onto a file that exists) used to be found only after the
    import had written its rows."""
    from app.tables import CalendarDate

    calendar = tmp_path / "calendar.csv"
    calendar.write_text("date,school,kind,description\n2026-09-07,,holiday,Labor Day\n", encoding="utf-8")
    nowhere = homeroom("import", "calendar", str(calendar), "--report", str(tmp_path / "logs" / "report.csv"))
    assert nowhere.returncode == 2 and one_line(nowhere) == (
        f"homeroom: the folder {tmp_path / 'logs'} does not exist: create it first or choose another --report")
    old_report = tmp_path / "report.csv"
    old_report.write_text("yesterday\n", encoding="utf-8")
    taken = homeroom("import", "calendar", str(calendar), "--report", str(old_report))
    assert taken.returncode == 1 and "already exists: add --replace" in one_line(taken)
    assert await CalendarDate.count() == 0  # neither run imported anything
    done = homeroom("import", "calendar", str(calendar), "--report", str(old_report), "--replace")
    assert done.returncode == 0, done.stderr
    assert await CalendarDate.count() == 1 and old_report.read_text(encoding="utf-8-sig").startswith('"file","line"')


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
    assert folder.returncode == 2 and one_line(folder) == (
        f"homeroom: {tmp_path} is a folder: give PATH a file name, e.g. {tmp_path / 'homeroom.sqlite3'}")
    nothing = homeroom("restore", str(tmp_path / "nightly.sqlite3"), **sqlite_at(tmp_path))
    assert nothing.returncode == 2 and one_line(nothing) == f"homeroom: no backup at {tmp_path / 'nightly.sqlite3'}"
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a database


def test_migrate_says_what_it_applied_then_that_the_database_is_current(tmp_path):
    first = homeroom("migrate", **sqlite_at(tmp_path))
    assert first.returncode == 0, first.stderr
    applied = int(re.fullmatch(r"Applied (\d+) migrations to \S+ \(written \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d\); "
                               r"it is current now\.\n", first.stdout).group(1))
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
    issued = homeroom("keys", "issue", "--guardian", "gua-sam")
    # Valid until a time in the district's zone, as its letters say (it said UTC).
    # Written as the emails write it, morning or afternoon said (an IT lead's find: "11:59" alone).
    assert issued.returncode == 0 and re.search(
        r"\(valid until [A-Z][a-z]{2}, [A-Z][a-z]{2} \d{1,2}(, \d{4})?, \d{1,2}:\d\d [AP]M, America/New_York time\):",
        issued.stdout), issued.stdout


def test_an_import_of_a_folder_as_a_file_says_it_is_a_folder(migrated_database, tmp_path):
    result = homeroom("import", "ssn", str(tmp_path))
    assert result.returncode == 2 and one_line(result) == f"homeroom: SSN import: {tmp_path}: a folder, not a CSV file"


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


@pytest.mark.skipif(not ON_POSTGRES, reason="a PostgreSQL server that answers")
def test_a_missing_postgresql_database_is_one_line_and_exit_4(tmp_path):
    """The server answers, the database is not there: Piccolo's coloured "Unable to fetch server version" warning
    (with a line of asyncio's source) came before our line (an IT lead's find)."""
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    for command in (["settings", "show"], ["migrate"]):
        result = homeroom(*command, DATABASE_URL=f"{server}/homeroom_no_such_database")
        assert result.returncode == 4
        assert one_line(result) == (
            'homeroom: database "homeroom_no_such_database" does not exist on that server: create it first '
            "(createdb, or CREATE DATABASE as the server's administrator), then run `homeroom migrate`")


POSTGRESQL_SOCKET_FOLDER = "/var/run/postgresql"


@pytest.mark.skipif(not ON_POSTGRES or not Path(POSTGRESQL_SOCKET_FOLDER, ".s.PGSQL.5432").exists(),
                    reason="a PostgreSQL server on this machine, listening on its Unix socket")
def test_postgresql_on_the_same_machine_is_reached_through_its_unix_socket(migrated_database):
    """docs/operations.md offers a one-machine district the socket (the database off the network): the same
    database, reached with `?host=FOLDER`, migrates and answers."""
    parts = urlsplit(migrated_database)
    through_socket = f"postgresql://{parts.username}@{parts.path}?host={POSTGRESQL_SOCKET_FOLDER}"
    migrated = homeroom("migrate", DATABASE_URL=through_socket)
    assert migrated.returncode == 0, migrated.stderr
    shown = homeroom("settings", "show", DATABASE_URL=through_socket)
    assert shown.returncode == 0 and "district_name" in shown.stdout, shown.stderr


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


def test_version_says_the_installed_version():
    from importlib.metadata import version

    result = homeroom("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"homeroom {version('homeroom')}"


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


# --- the rough edges an IT-lead tester found (issue 15 item 8) ---------------------------------------------

@pytest.mark.parametrize("typed, message", [
    (["--port", "70000"], "argument --port: 70000 is not a port: use a whole number from 1 to 65535"),
    (["--port", "0"], "argument --port: 0 is not a port: use a whole number from 1 to 65535"),
    (["--port", "http"], "argument --port: 'http' is not a port number: use a whole number from 1 to 65535"),
    (["--workers", "0"], "argument --workers: 0 is out of range: use a whole number of at least 1"),
    (["--metrics-port", "65536"], "argument --metrics-port: 65536 is not a port: use a whole number from 1 to 65535"),
])
def test_serve_refuses_a_port_or_worker_count_that_cannot_be_with_its_usage_and_one_line(tmp_path, typed, message):
    result = homeroom("serve", *typed, cwd=tmp_path, **sqlite_at(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("usage: homeroom serve ")
    assert lines[-1] == f"homeroom: {message} (`homeroom serve --help` lists the options)"
    assert list(tmp_path.iterdir()) == []  # nothing migrated, nothing started


def test_a_port_under_1024_is_refused_for_a_user_who_is_not_root(monkeypatch, capsys):
    from app import cli
    from app.cli_serve import first_unprivileged_port

    lowest = first_unprivileged_port()
    if lowest <= 80:
        pytest.skip("this machine lets any user listen on port 80 (net.ipv4.ip_unprivileged_port_start)")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)  # the operating system's answer: not root
    assert cli.main(["serve", "--port", "80"]) == 2
    assert capsys.readouterr().err == (
        f"homeroom: --port 80: port 80 is below {lowest}, and only root may listen on those: choose a port from "
        f"{lowest} up (e.g. 8000) and let a reverse proxy take 80 and 443, or run as root\n")


def test_a_port_in_use_is_one_line_and_exit_1(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = homeroom("serve", "--port", str(port), cwd=tmp_path, **sqlite_at(tmp_path))
        # --port must be free for the --metrics-port check to be reached: a port the kernel just handed out and
        # took back (port + 1 was once used here, and another test's server held it: CI run of stop 18)
        metrics = homeroom("serve", "--port", str(free_port()), "--metrics-port",
                           str(port), cwd=tmp_path, **sqlite_at(tmp_path))
    assert result.returncode == 1 and one_line(result) == (
        f"homeroom: port {port} on 127.0.0.1 is already in use by another program (another `homeroom serve`?): "
        f"stop it, or choose another --port")
    assert metrics.returncode == 1 and one_line(metrics).endswith("choose another --metrics-port")
    same = homeroom("serve", "--port", "8123", "--metrics-port", "8123", cwd=tmp_path, **sqlite_at(tmp_path))
    assert same.returncode == 2 and one_line(same) == (
        "homeroom: --metrics-port 8123 is the same as --port: give metrics a port of their own")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command, usage", [
    (["serve"], "usage: homeroom serve "),
    (["keys", "letters"], "usage: homeroom keys letters "),
    (["import", "ssn", "ssn.csv"], "usage: homeroom import ssn "),
    (["staff", "disable", "--username", "someone"], "usage: homeroom staff disable "),
])
def test_an_unknown_option_prints_the_usage_of_the_command_typed(command, usage):
    result = homeroom(*command, "--colour", "blue")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith(usage), result.stderr
    assert lines[-1].startswith("homeroom: unrecognized arguments: --colour blue (`homeroom ")


def test_a_sqlite_backup_is_one_file_and_a_restore_into_a_folder_that_is_not_there_is_exit_4(tmp_path):
    import sqlite3
    from contextlib import closing

    live = tmp_path / "live"
    live.mkdir()
    assert homeroom("migrate", **sqlite_at(live)).returncode == 0
    backups = tmp_path / "backups"
    backups.mkdir()
    made = homeroom("backup", str(backups / "nightly.sqlite3"), **sqlite_at(live))
    assert made.returncode == 0, made.stderr
    elsewhere = {"DATABASE_URL": f"sqlite:///{tmp_path / 'restored' / 'portal.sqlite3'}", "HOMEROOM_ENV": "test"}
    nowhere = homeroom("restore", str(backups / "nightly.sqlite3"), **elsewhere)
    assert nowhere.returncode == 4 and one_line(nowhere) == (  # as the README's table says: 4, the database
        f"homeroom: the database's folder {tmp_path / 'restored'} does not exist (DATABASE_URL): create it first")
    (tmp_path / "restored").mkdir()
    restored = homeroom("restore", str(backups / "nightly.sqlite3"), **elsewhere)
    assert restored.returncode == 0, restored.stderr
    with closing(sqlite3.connect(backups / "nightly.sqlite3")) as backup:  # opened again, as anyone would
        assert backup.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert backup.execute("SELECT count(*) FROM migration").fetchone()[0] > 0
    assert [p.name for p in backups.iterdir()] == ["nightly.sqlite3"]  # no -wal or -shm beside it
    missing = homeroom("backup", str(backups / "again.sqlite3"), **sqlite_at(tmp_path / "restored" / "nothing"))
    assert missing.returncode == 4 and one_line(missing).startswith("homeroom: no database at ")


def test_a_failed_migration_is_one_line_that_says_where_and_why(tmp_path):
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(tmp_path / "portal.sqlite3")) as database:
        database.execute("CREATE TABLE school (name TEXT)")  # not Homeroom's: the first migration cannot run
    result = homeroom("migrate", **sqlite_at(tmp_path))
    assert result.returncode == 1
    assert re.fullmatch(r'homeroom: the migrations failed at \S+: table "?school"? already exists '
                        r"\(HOMEROOM_DEBUG=1 shows Piccolo's whole output\)", one_line(result)), result.stderr


async def test_staff_create_names_an_unknown_school_and_a_taken_username_is_the_data_saying_no(admin):
    unknown = homeroom("staff", "create", "--username", "NewOffice", "--role", "school-staff", "--school", "nope",
                       input_text="a long enough password 12!\n")
    assert unknown.returncode == 2 and one_line(unknown) == (
        "homeroom: no account created: --school: There is no school with sourcedId nope (`homeroom schools list` "
        "shows them)")
    taken = homeroom("staff", "create", "--username", "districtadmin", "--role", "district-admin",
                     input_text="a long enough password 12!\n")
    assert taken.returncode == 1 and one_line(taken) == (
        "homeroom: no account created: --username: That username is taken. Choose another")


async def test_the_last_active_district_admin_is_never_disabled_and_disabling_twice_says_so(admin):
    from app.tables import UserAccount

    last = homeroom("staff", "disable", "--username", "DistrictAdmin")
    assert last.returncode == 1 and one_line(last) == (
        "homeroom: DistrictAdmin not disabled: This is the only active district admin: enable or create another "
        "district admin first, so someone can still manage the portal")
    assert not (await UserAccount.objects().where(UserAccount.id == admin).first()).disabled
    created = homeroom("staff", "create", "--username", "SecondAdmin", "--role", "district-admin",
                       input_text="a long enough password 12!\n")
    assert created.returncode == 0, created.stderr
    assert homeroom("staff", "disable", "--username", "DistrictAdmin").stdout == "DistrictAdmin disabled.\n"
    again = homeroom("staff", "disable", "--username", "DistrictAdmin")
    assert again.returncode == 0 and again.stdout == "DistrictAdmin was already disabled: nothing changed.\n"
    assert homeroom("staff", "disable", "--username", "SecondAdmin").returncode == 1  # now the last one
    assert homeroom("staff", "enable", "--username", "DistrictAdmin").stdout == "DistrictAdmin enabled.\n"


async def test_two_admins_disabled_at_once_leave_one_active(admin):
    """Each of two concurrent disables sees the other admin still active before either commits; the lock on the
    active admins' rows (PostgreSQL) or the write lock (SQLite) makes the second see the first's change."""
    import asyncio

    from app.services.staff_accounts import change_staff_account, create_staff_account
    from app.tables import UserAccount

    assert await create_staff_account("SecondAdmin", "a long enough password 12!", "district-admin", None) == []
    second = (await UserAccount.select(UserAccount.id).where(UserAccount.username == "SecondAdmin").first())["id"]
    results = await asyncio.gather(change_staff_account(admin, "disable", actor=None),
                                   change_staff_account(second, "disable", actor=None))
    assert sorted(r.done or "refused" for r in results) == ["disabled", "refused"]
    assert await UserAccount.count().where((UserAccount.role == "district-admin") & (UserAccount.disabled == False)) == 1  # noqa: E712


@pytest.mark.parametrize("command", [
    ["settings", "set", "digest_hour", "25"],
    ["settings", "set", "no_such_preference", "1"],
    ["access", "block", "--guardian", "gua-nobody", "--student", "stu-nobody", "--reason", "other"],
    ["keys", "letters", "--school", "sch-nowhere", "--dry-run"],
    ["import", "edfi", "--url", "https://sis.example"],
    ["import", "restrictions", "restrictions.csv"],
    ["staff", "reset", "--username", "nobody"],
])
def test_every_error_line_starts_with_homeroom(migrated_database, command):
    result = homeroom(*command, HOMEROOM_EDFI_KEY="", HOMEROOM_EDFI_SECRET="")
    assert result.returncode == 2
    assert one_line(result).startswith("homeroom: ")


def test_an_imports_problem_lines_start_with_homeroom_too(migrated_database, tmp_path):
    bad = tmp_path / "ssn.csv"
    bad.write_text("studentSourcedId,ssn\nstu-nobody,123456789\n", encoding="utf-8")
    result = homeroom("import", "ssn", str(bad))
    assert result.returncode == 1
    problems = [line for line in result.stderr.splitlines()  # progress lines ("1 row in", "2 rows in") aside
                if not re.search(r": [\d,]+ rows? in ", line)]
    assert problems and all(line.startswith("homeroom: ") for line in problems), result.stderr
    assert "homeroom: ERROR: ssn.csv, line 2, column studentSourcedId:" in result.stderr


def test_settings_set_help_lists_every_preference_with_its_default_and_values():
    from dataclasses import fields

    from app.rules.preferences import DistrictPreferences, allowed_values, display_value

    text = homeroom("settings", "set", "--help").stdout
    for preference in fields(DistrictPreferences):
        line = next((l for l in text.splitlines() if l.split()[:1] == [preference.name]), None)
        assert line is not None, f"{preference.name} is not in --help"
        assert display_value(preference.default) in line
        assert allowed_values(preference.name).removeprefix("Use ") in line
    assert "digest_day" in text and "one of: monday, tuesday" in text


@pytest.mark.parametrize("kind", ["attendance", "calendar", "ssn", "restrictions", "translations"])
def test_each_import_help_lists_its_columns_values_and_an_example(kind):
    from importlib import import_module

    file_format = import_module(f"app.importers.{kind}").FORMAT
    text = homeroom("import", kind, "--help").stdout
    for column in file_format.columns.known:
        marked = "*" if column in file_format.columns.required else ""
        assert re.search(rf"^  {re.escape(column)} +{re.escape(marked)}", text, re.MULTILINE), (column, text)
    for line in file_format.example:
        assert f"  {line}" in text
    assert "--report CSV" in text and "exit codes:" in text


def test_the_import_help_says_which_values_are_allowed():
    assert "court-order, custody-agreement, student-request, other" in homeroom("import", "restrictions",
                                                                                 "--help").stdout
    assert "present, tardy, excused-absence" in homeroom("import", "attendance", "--help").stdout
    assert "holiday, break, weather" in homeroom("import", "calendar", "--help").stdout
    assert "one of term, absence-reason" in homeroom("import", "translations", "--help").stdout
    oneroster = homeroom("import", "oneroster", "--help").stdout
    assert "PATH: a folder of OneRoster 1.1 or 1.2 CSV files, or a zip of them" in oneroster
    assert "users.csv: sourcedId, givenName, familyName" in oneroster
    assert "--folder DIR: one file per resource" in homeroom("import", "edfi", "--help").stdout
    assert "a folder that exists" in homeroom("backup", "--help").stdout


def test_the_readme_lists_every_preference():
    from dataclasses import fields

    from app.rules.preferences import DistrictPreferences

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| preference | default | |", 1)[1].split("\n\n", 1)[0]
    missing = [f.name for f in fields(DistrictPreferences) if f"`{f.name}`" not in table]
    assert missing == []


# --- a deployment that forgot HOMEROOM_ENV (an attacker's find) ----------------------------------------------

def without_env(folder: Path, **environment: str) -> dict[str, str]:
    """The tests' environment less HOMEROOM_ENV, its secrets and relay (a machine where nothing is set), plus
    `environment`."""
    kept = {name: value for name, value in os.environ.items() if name not in (
        "HOMEROOM_ENV", "HOMEROOM_SECRET_KEY", "HOMEROOM_SSN_PEPPER", "HOMEROOM_SMTP_URL", "HOMEROOM_PUBLIC_URL",
        "HOMEROOM_ALLOWED_HOSTS")}
    return {**kept, "DATABASE_URL": f"sqlite:///{folder / 'portal.sqlite3'}", **environment}


@pytest.mark.parametrize("deployment, sign", [
    ({"HOMEROOM_PUBLIC_URL": "https://parents.district.example"}, "HOMEROOM_PUBLIC_URL is https"),
    ({"HOMEROOM_SECRET_KEY": "k" * 40, "HOMEROOM_SSN_PEPPER": "p" * 40},
     "HOMEROOM_SECRET_KEY is set and HOMEROOM_SSN_PEPPER is set"),
    ({"HOMEROOM_SMTP_URL": "smtp://relay.district.example"}, "HOMEROOM_SMTP_URL is set"),
    # An attacker's find: `uvicorn app.asgi:app` with these, past serve's own check, served /dev/mailbox.
    ({"HOMEROOM_PUBLIC_URL": "http://portal.district.example"}, "HOMEROOM_PUBLIC_URL names another machine"),
    ({"DATABASE_URL": "postgresql://homeroom@db.district.example/portal"}, "DATABASE_URL is PostgreSQL"),
    ({"HOMEROOM_ALLOWED_HOSTS": "portal.district.example"}, "HOMEROOM_ALLOWED_HOSTS is set"),
])
def test_a_deployment_without_homeroom_env_is_refused_rather_than_run_as_the_demo(tmp_path, deployment, sign):
    """Without HOMEROOM_ENV the portal is the demo, whose /dev/mailbox shows every reset link and key to anyone."""
    for command in (["serve", "--port", str(free_port())], ["settings", "show"]):
        result = subprocess.run([sys.executable, "-m", "app.cli", *command], cwd=tmp_path, capture_output=True,
                                text=True, timeout=120, env=without_env(tmp_path, **deployment))
        assert result.returncode == 3 and one_line(result) == (
            "homeroom: configuration: HOMEROOM_ENV is not set, so this would run as the demo, which shows every email "
            "(reset links, "
            f"activation keys) at /dev/mailbox, but {sign}: set HOMEROOM_ENV=production for a district's portal, or "
            "HOMEROOM_ENV=demo to run the demo with them")
    assert not (tmp_path / "portal.sqlite3").exists()
    # The app itself, under any server (uvicorn app.asgi:app), refuses the same way.
    direct = subprocess.run([sys.executable, "-c", "import app.asgi"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env={**without_env(tmp_path, **deployment), "PYTHONPATH": str(PROJECT_ROOT)})
    assert direct.returncode != 0 and "HOMEROOM_ENV is not set" in direct.stderr
    # Asked for by name, the demo runs with them.
    asked = subprocess.run([sys.executable, "-m", "app.cli", "settings", "show"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=120, env=without_env(tmp_path, HOMEROOM_ENV="demo", **deployment))
    assert "HOMEROOM_ENV is not set" not in asked.stderr


def test_the_demo_by_default_is_served_to_this_machine_only(tmp_path):
    result = subprocess.run([sys.executable, "-m", "app.cli", "serve", "--host", "0.0.0.0", "--port",
                             str(free_port())], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env=without_env(tmp_path))
    assert result.returncode == 3 and one_line(result).startswith(
        "homeroom: HOMEROOM_ENV is not set, so this would serve the demo, which shows every email at /dev/mailbox, on "
        "0.0.0.0, which other machines reach: set HOMEROOM_ENV=production")
    assert not (tmp_path / "portal.sqlite3").exists()
    from app.settings import is_loopback as _loopback

    assert _loopback("127.0.0.1") and _loopback("::1") and _loopback("localhost") and _loopback("127.0.1.1")
    assert not _loopback("0.0.0.0") and not _loopback("::") and not _loopback("192.168.1.20")
