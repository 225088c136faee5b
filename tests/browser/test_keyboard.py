"""The activation wizard completed with the keyboard alone: Tab, typing and Enter, never a click
(docs/quality.md §2), with JavaScript on and off, ending signed in on the home page."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.conftest import Portal
from tests.browser.pages import STRONG
from tests.browser.walk import current_path, focused_element, submit

MOST_TABS = 40


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the element matching `selector` has focus."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}; focus is on {focused_element(page)}")


def test_activation_wizard_by_keyboard_alone(page: Page, portal: Portal) -> None:
    key = portal.seed["keys"]["keyboard_js" if page.javascript else "keyboard_nojs"]
    username = "keyboardjs" if page.javascript else "keyboardnojs"
    page.goto(portal.base_url + "/")

    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to main content"
    tab_to(page, 'a[href="/activate"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert current_path(page) == "/activate"

    tab_to(page, "#activation-key")
    page.keyboard.type(key.lower().replace("-", " "))  # case, spaces and dashes do not matter
    if not page.javascript:  # the key's box wraps (a textarea): without app.js, Enter is a new line there
        tab_to(page, '#main button[type="submit"]')
    submit(page, lambda: page.keyboard.press("Enter"))
    assert current_path(page) == "/activate/account"
    assert page.title().startswith("Step 2 of 2: ")

    tab_to(page, "#username")
    page.keyboard.type(username)
    tab_to(page, "#password")
    page.keyboard.type(STRONG)
    tab_to(page, "#verify-password")
    page.keyboard.type(STRONG)
    submit(page, lambda: page.keyboard.press("Enter"))

    assert current_path(page) == "/home?notice=welcome"
    assert page.get_by_text("Your account is ready. Welcome!").is_visible()
    assert page.get_by_role("heading", name="Ana Lopez").is_visible()  # the key holders' child (tests/browser/seed.py)
