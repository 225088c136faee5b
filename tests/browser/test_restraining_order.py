"""A restraining order, end to end in Chromium (issue 11): a parent of Ana and Luis is signed in and reading
Ana's attendance; the school office switches that parent's access to Ana off in the console; the parent's
open session loses Ana on the very next request (her page is the ordinary "Page not found", home shows only
Luis); and no email about Ana reaches that parent afterwards. JavaScript on and off; another parent
(Maria) still sees Ana."""

from __future__ import annotations

import time

from playwright.sync_api import Browser, Page

from tests.browser.conftest import Portal
from tests.browser.pages import BROWSER_LOCALE
from tests.browser.seed_access import SCENARIO_PARENTS, SCENARIO_PASSWORD, scenario_email
from tests.browser.seed_staff import STAFF_PASSWORD, STAFF_TRUST_TOKEN, STAFF_USERNAME, trusted_cookie
from tests.browser.walk import submit


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + "/")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log In").click()


def test_a_restraining_order_takes_the_child_off_an_open_session(page: Page, portal: Portal,
                                                                   browser: Browser) -> None:
    username = SCENARIO_PARENTS[page.javascript]
    parent_name = f"{username.title()} Lopez"
    log_in(page, portal.base_url, username, SCENARIO_PASSWORD)
    assert page.get_by_role("heading", name="Ana Lopez").is_visible()
    with page.expect_navigation():
        page.locator('a[href$="/attendance"]').first.click()
    ana_attendance = page.url
    assert page.title().startswith("Attendance: Ana Lopez")
    # Before the order arrives, the parent asked the school to correct one of Ana's records.
    with page.expect_navigation():
        page.locator('a[href*="/corrections/attendance"]').click()
    page.locator("#record").select_option(index=1)
    page.locator("#message").fill("He says she was there that day.")
    submit(page, lambda: page.get_by_role("button", name="Send to the school").click())
    assert page.title().startswith("Request sent to the school")

    office = browser.new_context(java_script_enabled=page.javascript, locale=BROWSER_LOCALE)
    office.add_cookies([trusted_cookie(STAFF_TRUST_TOKEN, portal.base_url)])  # no second step (issue 14)
    try:
        staff = office.new_page()
        staff.javascript = page.javascript  # what walk.submit reads (set by the page fixture)
        log_in(staff, portal.base_url, STAFF_USERNAME, STAFF_PASSWORD)
        staff.goto(portal.base_url + "/staff?q=Ana")
        with staff.expect_navigation():
            staff.locator('a[href^="/staff/students/"]').first.click()
        with staff.expect_navigation():
            staff.locator(f'tr:has-text("{parent_name}") a[href*="/access/"]').click()
        staff.locator("#reason").check()  # the first reason: a court order
        staff.locator("#reference").fill("2026-CV-0413")
        submit(staff, lambda: staff.get_by_role("button", name="Switch access off").click())
        assert staff.get_by_text("switched off").first.is_visible()
        mail_before = len(portal.mailbox.messages)

        # The office answers the parent's earlier request: the answer is about Ana, so it is not sent.
        staff.goto(portal.base_url + "/staff/corrections")
        with staff.expect_navigation():
            staff.locator(f'tr:has-text("{parent_name}") a[href^="/staff/corrections/"]').click()
        staff.locator("#outcome").check()
        submit(staff, lambda: staff.get_by_role("button", name="Send the answer").click())
        assert staff.get_by_text("No email was sent").first.is_visible()
    finally:
        office.close()

    # The parent's next request: Ana is gone, exactly like a student who does not exist.
    page.goto(ana_attendance)
    assert page.title().startswith("Page not found")
    page.goto(portal.base_url + "/home")
    assert page.get_by_role("heading", name="Luis Lopez").is_visible()
    assert page.get_by_role("heading", name="Ana Lopez").count() == 0
    assert "Ana" not in page.locator("main").inner_text()
    page.goto(ana_attendance.replace("/attendance", "/grades"))
    assert page.title().startswith("Page not found")

    # No email about Ana to this parent afterwards (mail is delivered in-process within seconds).
    time.sleep(3)
    afterwards = [m for m in portal.mailbox.messages[mail_before:] if scenario_email(username) in m.to]
    assert afterwards == [], [m.subject for m in afterwards]
