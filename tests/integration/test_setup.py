"""A new district's first run (issue 15 item 2): production serves nothing, and sends nothing, until the
district's identity and first district admin are set; then nothing of the demo district appears."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import httpx
import pytest

from tests.conftest import ON_POSTGRES
from tests.integration.serving import serving

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="a production install on its own SQLite file")

PASSWORD = "Prairie lantern 2026"


def production(tmp_path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("HOMEROOM_", "DATABASE_URL"))}
    return {**keep, "HOMEROOM_ENV": "production", "HOMEROOM_SECRET_KEY": "k" * 40, "HOMEROOM_SSN_PEPPER": "p" * 40,
            "HOMEROOM_PUBLIC_URL": "https://parents.springfield.example", "HOMEROOM_SMTP_URL": "smtp://127.0.0.1:9",
            "DATABASE_URL": f"sqlite:///{tmp_path}/district.sqlite3"}


def homeroom(tmp_path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=tmp_path, env=production(tmp_path),
                          input=stdin, capture_output=True, text=True, timeout=120)


IDENTITY = ["--district-name", "Springfield Public Schools", "--portal-name", "Springfield Parent Portal",
            "--help-phone", "217-555-0142", "--time-zone", "America/Chicago"]


def test_production_refuses_to_serve_and_send_until_setup_then_shows_only_the_district(tmp_path):
    for command in (["serve"], ["mail-worker"]):
        refused = homeroom(tmp_path, *command)
        assert refused.returncode == 3, refused.stderr
        assert "not set up yet (missing: district_name, portal_name, help_phone, time_zone, district admin)" \
            in refused.stderr and "Traceback" not in refused.stderr

    missing = homeroom(tmp_path, "setup", "--district-name", "Springfield Public Schools")
    assert missing.returncode == 2 and "--portal-name, --help-phone, --time-zone" in missing.stderr
    bad = homeroom(tmp_path, "setup", *IDENTITY[:5], "12", *IDENTITY[6:], "--admin-username", "itlead",
                   stdin=PASSWORD + "\n")
    assert bad.returncode == 2 and "--help-phone: Use a phone number" in bad.stderr
    no_admin = homeroom(tmp_path, "setup", *IDENTITY)
    assert no_admin.returncode == 2 and "--admin-username" in no_admin.stderr

    done = homeroom(tmp_path, "setup", *IDENTITY, "--admin-username", "itlead", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr

    with serving(tmp_path, production(tmp_path)) as (base, _):
        page = httpx.get(f"{base}/", headers={"Host": "parents.springfield.example"}).text
    assert "Springfield Public Schools" in page and "Springfield Parent Portal" in page
    assert "555-0142" in page
    assert "Homeroom Demo District" not in page and "802-1000" not in page

    # Run again, it says what is set and changes only what a flag gives; never a second "first" admin.
    again = homeroom(tmp_path, "setup")
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[:6] == [
        "This district is already set up:", "  district_name = Springfield Public Schools",
        "  portal_name = Springfield Parent Portal", "  help_phone = +12175550142", "  time_zone = America/Chicago",
        "  district admins: itlead"]
    assert "Nothing changed" in again.stdout
    same = homeroom(tmp_path, "setup", *IDENTITY, "--admin-username", "itlead")  # the first run's words, again
    assert same.returncode == 0 and "Nothing changed" in same.stdout, same.stderr
    other_admin = homeroom(tmp_path, "setup", "--help-phone", "217-555-0199", "--admin-username", "someone",
                           stdin=PASSWORD + "\n")
    assert other_admin.returncode == 1 and "homeroom staff create --role district-admin" in other_admin.stderr
    bad = homeroom(tmp_path, "setup", "--help-phone", "12")
    assert bad.returncode == 2 and "--help-phone: Use a phone number" in bad.stderr
    changed = homeroom(tmp_path, "setup", "--help-phone", "217-555-0199")
    assert changed.returncode == 0 and "Changed help_phone: +12175550142 -> +12175550199" in changed.stdout
    assert "help_phone = +12175550199" in homeroom(tmp_path, "settings", "show").stdout


def test_a_production_database_is_never_used_in_demo_or_test_mode(tmp_path):
    """HOMEROOM_ENV defaults to demo: a command or server started without the district's environment (a cron line,
    a restore tried by hand) must not run in demo mode against the real district (SSN digests redone with the
    demo's pepper, reset links in a public dev mailbox). An IT lead's find (issue 15)."""
    refused = homeroom(tmp_path, "serve")  # before setup; its refusal is not recorded as "exit 0"
    assert refused.returncode == 3
    assert homeroom(tmp_path, "staff", "list").returncode == 0  # a production command marks the database
    for mode in ({}, {"HOMEROOM_ENV": "demo"}, {"HOMEROOM_ENV": "test"}):
        env = {k: v for k, v in production(tmp_path).items() if k != "HOMEROOM_ENV"} | mode
        for command in (["staff", "list"], ["serve", "--port", "9"], ["import", "ssn", "none.csv"]):
            found = subprocess.run([sys.executable, "-m", "app.cli", *command], cwd=tmp_path, env=env,
                                   capture_output=True, text=True, timeout=120)
            assert found.returncode == 3, (mode, command, found.stderr)
            if not mode:  # the district's secrets, relay and https address without HOMEROOM_ENV: refused before
                assert found.stderr.startswith("homeroom: configuration: HOMEROOM_ENV is not set, so this would run "
                                               "as the demo"), found.stderr
                continue
            assert found.stderr.strip().splitlines() == [
                "homeroom: configuration: this database belongs to a production district (a portal with "
                "HOMEROOM_ENV=production has used it); demo and test mode never use it: set HOMEROOM_ENV=production "
                "(is the district's environment file loaded?)"], found.stderr
    with sqlite3.connect(tmp_path / "district.sqlite3") as db:
        commands = [row[0] for row in db.execute("SELECT detail FROM audit_event WHERE detail LIKE '%homeroom %'")]
    assert not any("homeroom serve" in line for line in commands), commands
    assert sum("homeroom staff list (exit 0)" in line for line in commands) == 1, commands
