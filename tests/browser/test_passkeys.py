"""Passkeys in Chromium (issue 14): a parent adds a passkey on the account page and signs in with it, with
Chromium's virtual authenticator (DevTools WebAuthn domain) as the device's screen lock. WebAuthn refuses an
IP address as the relying party, so this test runs its own portal at http://localhost:PORT (its own database,
one guardian account); the walk (pages.py) checks the passkey pages' look and accessibility."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import _run, _wait_until_answering, free_port, PROJECT_ROOT
from tests.browser.pages import BROWSER_LOCALE

USERNAME = "passkeyparent"
PASSWORD = "Velvet-Harbor-83"


async def _seed() -> None:
    from app.rules.names import person_name_key
    from app.rules.usernames import username_key
    from app.services.password_hashing import hashing
    from app.tables import Person, UserAccount

    person = Person(source_id="gua-passkey", kind="guardian", given_name="Paula", family_name="Key",
                    name_key=person_name_key("Paula", "Key"), email="paula@example.com")
    await person.save()
    await UserAccount.insert(UserAccount(username=USERNAME, username_key=username_key(USERNAME),
                                         password_hash=await hashing().hash(PASSWORD), person=person.id))


@pytest.fixture(scope="module")
def localhost_portal():
    folder = Path(tempfile.mkdtemp(prefix="homeroom-passkeys-"))
    port = free_port()
    env = {**os.environ, "HOMEROOM_ENV": "test", "DATABASE_URL": f"sqlite:///{folder}/passkeys.sqlite3",
           "HOMEROOM_PUBLIC_URL": f"http://localhost:{port}", "HOMEROOM_ALLOWED_HOSTS": "localhost"}
    env.pop("HOMEROOM_SMTP_URL", None)
    _run(["-m", "app.cli", "migrate"], env)
    _run(["-c", "import sys; from app.cli import _run; from tests.browser.test_passkeys import _seed; "
                "sys.exit(_run(_seed()))"], env)
    log_path = folder / "server.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.asgi:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=PROJECT_ROOT, env=env, stdout=open(log_path, "wb"), stderr=subprocess.STDOUT)
    try:
        _wait_until_answering(f"http://localhost:{port}", process, log_path)
        yield f"http://localhost:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_parent_adds_a_passkey_and_signs_in_with_it_in_chromium(browser: Browser, localhost_portal: str):
    context = browser.new_context(locale=BROWSER_LOCALE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    authenticator = devtools.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})["authenticatorId"]
    try:
        login = page.goto(localhost_portal + "/")
        assert login.ok
        assert not [s for s in page.locator("script").evaluate_all("s => s.map(e => e.src)") if "passkeys" in s]
        page.locator("#username").fill(USERNAME)
        page.locator("#password").fill(PASSWORD)
        page.get_by_role("button", name="Log In").click()
        page.wait_for_url("**/home")

        page.goto(localhost_portal + "/account/passkeys")
        form = page.locator('form[data-passkey="register"]')
        form.wait_for(state="visible")  # the script found a platform authenticator
        assert page.locator("[data-passkey-unsupported]").is_hidden()
        page.locator("#current-password").fill(PASSWORD)
        page.get_by_role("button", name="Add a passkey").click()
        page.wait_for_url("**/account/passkeys?notice=added")
        credentials = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
        assert len(credentials) == 1 and credentials[0]["isResidentCredential"]
        assert page.get_by_text("Your passkey was added").is_visible()

        page.get_by_role("button", name="Log Out").click()
        page.wait_for_url("**/?notice=signed-out")
        page.get_by_role("link", name="Log in with a passkey").click()
        page.wait_for_url("**/sign-in/passkey")
        page.get_by_role("button", name="Use a passkey").click()
        page.wait_for_url("**/home")
        assert page.get_by_role("heading", name="My students").is_visible()
        page.goto(localhost_portal + "/account")
        assert page.get_by_text("Logged in with a passkey").first.is_visible()
        assert not problems, problems
    finally:
        context.close()
