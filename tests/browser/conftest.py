"""The browser suite (docs/quality.md §1, §2): Debian's Chromium headless shell (the browser Playwright runs
headless; HOMEROOM_TEST_CHROMIUM names another binary, e.g. /usr/bin/chromium), driven by Playwright, against
real uvicorn processes on 127.0.0.1 with their own SQLite database and a real SMTP server (aiosmtpd) that
receives their mail.

Two servers share one database: the portal in test mode, and the same portal in demo mode for the dev
mailbox (which exists only there). Both are started once per session.

The walk happens on one day whatever the real date: the seed and both servers run with the portal's clock
moved to WALK_MOMENT (HOMEROOM_TEST_CLOCK_SHIFT, app/settings.py), and it runs on from there. Issue 12: with the
real date, "report an absence, sent" failed from mid-June to August (no school day near "today"), and every
state that shows dates changed from day to day. HOMEROOM_BROWSER_NOW=2026-07-15 (a date, or an ISO date-time
with its offset) walks another day."""

from __future__ import annotations

import json
import re
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, time as time_of_day, timezone
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.browser.pages import BROWSER_LOCALE
from tests.browser.walk import Inspector, serve_axe
from tests.mailbox import Mailbox, ReceivedMail, SmtpServer

PROJECT_ROOT = Path(__file__).parent.parent.parent
# Chromium logs every 4xx answer as a console error; the walk checks those statuses itself (422 for a form
# with errors, 404, 403, 410), so only these are not problems. 5xx answers and everything else are.
EXPECTED_STATUS = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d ")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# A Tuesday in the spring term, mid-morning in the US (the integration suite's clock too: tests/integration).
WALK_MOMENT = datetime(2026, 3, 10, 14, 0, tzinfo=timezone.utc)


def walk_moment() -> datetime:
    """WALK_MOMENT, or the day or moment HOMEROOM_BROWSER_NOW names (a day alone: 14:00 UTC that day)."""
    value = os.environ.get("HOMEROOM_BROWSER_NOW", "").strip()
    if not value:
        return WALK_MOMENT
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), time_of_day(14, 0), tzinfo=timezone.utc)
    moment = datetime.fromisoformat(value)
    assert moment.tzinfo is not None, f"HOMEROOM_BROWSER_NOW={value!r} needs its UTC offset (for example +00:00)"
    return moment


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_mail(mailbox: Mailbox, to: str, subject_contains: str, *, timeout: float = 15.0) -> ReceivedMail:
    """The newest message to `to` whose subject contains the words (the portal's sender polls every 2 s)."""
    deadline = time.monotonic() + timeout
    while True:
        for mail in reversed(mailbox.messages):
            if to in mail.to and subject_contains.lower() in mail.subject.lower():
                return mail
        assert time.monotonic() < deadline, f"no mail to {to} about {subject_contains!r}: " \
                                            f"{[m.subject for m in mailbox.messages]}"
        time.sleep(0.1)


@dataclass
class Portal:
    base_url: str
    demo_url: str
    seed: dict
    mailbox: Mailbox


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run([sys.executable, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"


def _start_server(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "wb")
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.asgi:app", "--host", "127.0.0.1", "--port", str(port),
         "--no-server-header"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )


def _wait_until_answering(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 180.0) -> None:
    # Generous: on a loaded 2-core machine (three suites side by side) a start takes well over 30 s; a slow
    # start is not what the browser suite tests, and a server that dies is still caught at once (poll()).
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"server exited:\n{log_path.read_text()}"
        try:
            urllib.request.urlopen(url + "/", timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"server at {url} did not answer:\n{log_path.read_text()}")


@pytest.fixture(scope="session")
def portal():
    folder = Path(tempfile.mkdtemp(prefix="homeroom-browser-"))
    smtp = SmtpServer(free_port())
    smtp.start()
    port, demo_port = free_port(), free_port()
    env = {
        **os.environ,
        "HOMEROOM_ENV": "test",
        "DATABASE_URL": f"sqlite:///{folder}/browser.sqlite3",
        "HOMEROOM_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "HOMEROOM_ALLOWED_HOSTS": "127.0.0.1",
        "HOMEROOM_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
        # Worked out once, so the seed and both servers (started later) read the same clock.
        "HOMEROOM_TEST_CLOCK_SHIFT": f"{(walk_moment() - datetime.now(timezone.utc)).total_seconds():.3f}",
    }
    # The demo server (no SMTP URL) delivers into its dev mailbox: it gets its own copy of the seeded
    # database, so its sender never takes the test server's mail.
    demo_env = {**env, "HOMEROOM_ENV": "demo", "HOMEROOM_PUBLIC_URL": f"http://127.0.0.1:{demo_port}",
                "DATABASE_URL": f"sqlite:///{folder}/demo.sqlite3"}
    demo_env.pop("HOMEROOM_SMTP_URL")
    _run(["-m", "app.cli", "migrate"], env)
    _run(["-m", "tests.browser.seed", str(folder / "seed.json")], env)
    for suffix in ("", "-wal", "-shm"):
        if (folder / f"browser.sqlite3{suffix}").exists():
            shutil.copy(folder / f"browser.sqlite3{suffix}", folder / f"demo.sqlite3{suffix}")
    servers = [(_start_server(env, port, folder / "server.log"), f"http://127.0.0.1:{port}", folder / "server.log"),
               (_start_server(demo_env, demo_port, folder / "demo.log"), f"http://127.0.0.1:{demo_port}",
                folder / "demo.log")]
    try:
        for process, url, log_path in servers:
            _wait_until_answering(url, process, log_path)
        yield Portal(servers[0][1], servers[1][1], json.loads((folder / "seed.json").read_text()), smtp.mailbox)
    finally:
        for process, _, _ in servers:
            process.terminate()
        for process, _, _ in servers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        smtp.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Browser:
    chromium = os.environ.get("HOMEROOM_TEST_CHROMIUM") or shutil.which("chromium-headless-shell") \
        or shutil.which("chromium")
    assert chromium, "Debian's chromium-headless-shell (or chromium) is needed (apt-get install " \
                     "chromium-headless-shell); never `playwright install`"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def inspector(browser: Browser) -> Inspector:
    inspector = Inspector(browser)
    yield inspector
    inspector.close()


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def javascript(request) -> bool:
    return request.param


@pytest.fixture
def context(browser: Browser, javascript: bool) -> BrowserContext:
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1024, "height": 768},
                                  locale=BROWSER_LOCALE)
    context.set_default_timeout(10_000)
    context.javascript = javascript
    serve_axe(context)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A page that records console errors and uncaught exceptions in `page.problems`."""
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") and not EXPECTED_STATUS.match(message.text) else None)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.problems = problems
    page.javascript = context.javascript
    return page


@pytest.fixture(scope="session")
def reset_link(portal: Portal, browser: Browser) -> str:
    """A password-reset link for the seeded account, as the mail server received it. States that use it
    never complete the reset, so one link serves them all."""
    context = browser.new_context(java_script_enabled=False, locale=BROWSER_LOCALE)
    try:
        page = context.new_page()
        page.goto(portal.base_url + "/forgot-password")
        page.locator("#identifier").fill(portal.seed["username"])
        with page.expect_navigation():
            page.get_by_role("button", name="Email me a link").click()
    finally:
        context.close()
    mail = wait_for_mail(portal.mailbox, portal.seed["email"], "reset")
    return re.search(r"http://\S+/reset/\S+", mail.text).group(0)


def pytest_terminal_summary(terminalreporter) -> None:
    from tests.browser.weights import MEASURED

    if not MEASURED:
        return
    write = terminalreporter.write_line
    write("")
    write("Page weights, bytes on the wire (headers + compressed body), first visit from an empty cache:")
    write(f"{'page':44} {'total':>7} {'HTML':>6} {'CSS':>6} {'JS':>6} {'htmx max':>8}  encoding")
    for name, whole, html, css, js, fragment, encoding in MEASURED:
        write(f"{name:44} {whole:>7} {html:>6} {css:>6} {js:>6} {fragment or '':>8}  {encoding}")
