"""A district installs Homeroom from its wheel and runs it anywhere (issue 15 items 1 and 5)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import ON_POSTGRES
from tests.integration.fresh_database import fresh_database, run_sql
from tests.integration.serving import clean_environment, free_port, serving

PROJECT_ROOT = Path(__file__).parents[2]


def _get(url: str) -> tuple[int, str]:
    response = httpx.get(url, timeout=5)
    return response.status_code, response.text


@pytest.mark.skipif(ON_POSTGRES, reason="builds and installs once, in the SQLite pass")
def test_the_built_wheel_installed_outside_the_checkout_serves_pages_from_an_empty_folder(tmp_path):
    # Built from a clean copy of the sources: setuptools reuses a checkout's build/ folder when its files look
    # newer than the sources, which after a `git checkout` they can be.
    source = tmp_path / "source"
    shutil.copytree(PROJECT_ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", "node_modules", "*.sqlite3*", ".homeroom-secrets",
        ".data", "out", "var", ".hypothesis", ".pytest_cache"))
    dist = tmp_path / "dist"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w",
                            str(dist)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    wheel = next(dist.glob("homeroom-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    installed = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], capture_output=True,
                               text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr

    folder = tmp_path / "district"  # empty, and nowhere near the checkout
    folder.mkdir()
    port = free_port()
    # The .env in the working directory is read (the public URL's port is the one served).
    (folder / ".env").write_text(f"HOMEROOM_PUBLIC_URL=http://127.0.0.1:{port}\n")
    with serving(folder, clean_environment(), port=port, command=[str(venv / "bin" / "homeroom")],
                 wait_seconds=90) as (base, _):
        status, page = _get(f"{base}/")
        assert status == 200 and "<form" in page and 'name="username"' in page
        stylesheet = page.split('href="/static/css/site.css', 1)[1].split('"', 1)[0]
        assert _get(f"{base}/static/css/site.css{stylesheet}")[0] == 200
        assert _get(f"{base}/readyz") == (200, "ok\n")  # every migration applied
    # The data is the working directory's; nothing was written into the checkout or the package.
    assert (folder / "homeroom.sqlite3").exists()
    assert not list((venv / "lib").glob("python3*/site-packages/homeroom.sqlite3*"))


def _migrate(database_url: str, folder: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "app.cli", "migrate"], cwd=folder,
                            env=clean_environment(DATABASE_URL=database_url, HOMEROOM_ENV="demo"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


async def test_two_machines_migrating_at_the_same_deploy_apply_each_migration_once(tmp_path):
    from app.services.health import migration_ids_in_package

    async with fresh_database(tmp_path, "homeroom_migrate") as url:
        runs = [_migrate(url, tmp_path) for _ in range(3)]
        outputs = [await asyncio.to_thread(run.communicate, timeout=180) for run in runs]
        assert [run.returncode for run in runs] == [0, 0, 0], [out for out, _ in outputs]
        applied = [row[0] for row in await run_sql(url, "SELECT name FROM migration")]
        assert sorted(applied) == sorted(migration_ids_in_package())  # each once
