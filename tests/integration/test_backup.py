"""Backups a district can restore (issue 15 item 6): back up the live database, restore it into a new one,
and the restored portal serves a parent the same pages."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import ON_POSTGRES
from tests.integration.serving import serving

DEMO_PASSWORD_LINE = re.compile(r"Username (\w+) or \w+, password (\S+)")


def _environment(folder: Path, database_url: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("HOMEROOM_", "DATABASE_URL"))}
    return {**keep, "DATABASE_URL": database_url, "HOMEROOM_ENV": "demo"}


def homeroom(folder: Path, database_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=folder, text=True, capture_output=True,
                          env=_environment(folder, database_url), timeout=600)


def parent_pages(base: str, username: str, password: str) -> list[str]:
    """What a parent reads on home and on each child's grades: the page's words, without per-request tokens."""
    with httpx.Client(base_url=base, follow_redirects=True) as browser:
        browser.get("/")
        token = browser.cookies.get("homeroom_csrftoken")
        home = browser.post("/", data={"username": username, "password": password, "_csrf_token": token})
        assert home.status_code == 200 and "/home" in str(home.url), home.text[:500]
        links = sorted(set(re.findall(r'href="(/students/[^"]+/grades[^"]*)"', home.text)))
        assert links, "the parent has no children on home"
        pages = [home.text] + [browser.get(link).text for link in links]
    return [_words(page) for page in pages]


def _words(html: str) -> str:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r'value="[^"]*"', "", main)  # CSRF tokens
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's backup: `homeroom backup`/`restore`")
def test_a_sqlite_backup_restored_into_a_new_database_serves_the_same_parent_pages(tmp_path):
    live = f"sqlite:///{tmp_path}/live.sqlite3"
    made = homeroom(tmp_path, live, "demo", "--students", "40")
    assert made.returncode == 0, made.stderr
    username, password = DEMO_PASSWORD_LINE.search(made.stdout).groups()

    backup = tmp_path / "nightly.sqlite3"
    assert homeroom(tmp_path, live, "backup", str(backup)).returncode == 0
    again = homeroom(tmp_path, live, "backup", str(backup))  # never overwrites a backup
    assert again.returncode == 1 and "already exists" in again.stderr

    restored = f"sqlite:///{tmp_path}/restored.sqlite3"
    result = homeroom(tmp_path, restored, "restore", str(backup))
    assert result.returncode == 0, result.stderr
    refused = homeroom(tmp_path, restored, "restore", str(backup))
    assert refused.returncode == 1 and "--replace" in refused.stderr
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    assert homeroom(tmp_path, restored, "restore", str(not_a_backup), "--replace").returncode == 1

    # Children's records: the databases `demo` (through migrate) and `restore` make, and the backup, are their
    # owner's only (an IT lead found them readable by everyone on the machine).
    for path in ("live.sqlite3", "live.sqlite3-wal", "nightly.sqlite3", "restored.sqlite3"):
        if (tmp_path / path).exists() or not path.endswith("-wal"):
            assert stat.S_IMODE((tmp_path / path).stat().st_mode) == 0o600, path

    with serving(tmp_path, _environment(tmp_path, live)) as (base, _):
        before = parent_pages(base, username, password)
    with serving(tmp_path, _environment(tmp_path, restored)) as (base, _):
        after = parent_pages(base, username, password)
    assert len(before) >= 2 and before == after


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's own tools")
@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed")
def test_a_pg_dump_restored_into_a_new_database_serves_the_same_parent_pages(tmp_path):
    server_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    names = [f"homeroom_backup_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    for name in names:
        subprocess.run(["psql", f"{server_url}/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)
    live, restored = (f"{server_url}/{name}" for name in names)
    try:
        made = homeroom(tmp_path, live, "demo", "--students", "40")
        assert made.returncode == 0, made.stderr
        username, password = DEMO_PASSWORD_LINE.search(made.stdout).groups()
        dump = tmp_path / "nightly.dump"
        # The README's commands, as a district runs them.
        subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), live], check=True)
        subprocess.run(["pg_restore", "--no-owner", "-d", restored, str(dump)], check=True)
        with serving(tmp_path, _environment(tmp_path, live)) as (base, _):
            before = parent_pages(base, username, password)
        with serving(tmp_path, _environment(tmp_path, restored)) as (base, _):
            after = parent_pages(base, username, password)
        assert len(before) >= 2 and before == after
    finally:
        for name in names:
            subprocess.run(["psql", f"{server_url}/postgres", "-qc",
                            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)
