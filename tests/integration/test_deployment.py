"""The README's deployment section, followed where a test can follow it (issue 15 item 3): the systemd unit
verifies, and X-Forwarded-For is believed only from the proxies listed in HOMEROOM_TRUSTED_PROXIES."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import ON_POSTGRES
from tests.integration.serving import clean_environment, serving

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="deployment files and one server on SQLite")
DEPLOY = Path(__file__).parents[2] / "docs" / "deploy"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_the_systemd_unit_in_the_readme_verifies(tmp_path):
    unit = (DEPLOY / "homeroom.service").read_text()
    environment = tmp_path / "homeroom.env"
    environment.write_text("HOMEROOM_ENV=production\n")
    # Where the district installs it, here: the venv the tests run in, a folder of the test's own.
    installed = unit.replace("/srv/homeroom/venv", sys.prefix).replace("/srv/homeroom", str(tmp_path)) \
        .replace("/etc/homeroom/homeroom.env", str(environment))
    assert installed != unit
    (tmp_path / "homeroom.service").write_text(installed)
    result = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "homeroom.service")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def _ip_of_a_failed_sign_in(tmp_path: Path, trusted: str) -> str:
    database = tmp_path / f"trusting-{trusted}.sqlite3"
    env = clean_environment(HOMEROOM_ENV="demo", DATABASE_URL=f"sqlite:///{database}",
                            HOMEROOM_TRUSTED_PROXIES=trusted)
    with serving(tmp_path, env) as (base, _):
        with httpx.Client(base_url=base, headers={"X-Forwarded-For": "203.0.113.7"}) as web:
            web.get("/")
            web.post("/", data={"username": "nobody", "password": "wrong password",
                                "_csrf_token": web.cookies.get("homeroom_csrftoken")})
    with sqlite3.connect(database) as db:
        return db.execute("SELECT ip FROM audit_event WHERE action = 'login.failed'").fetchone()[0]


def test_forwarded_addresses_are_believed_only_from_trusted_proxies(tmp_path):
    assert _ip_of_a_failed_sign_in(tmp_path, trusted="127.0.0.1") == "203.0.113.7"
    assert _ip_of_a_failed_sign_in(tmp_path, trusted="10.9.9.9") == "127.0.0.1"  # a spoofed header is ignored
