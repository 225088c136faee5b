"""Issue 13 item 1 in Chromium, JavaScript on and off, at 320 px: the language link at the top of a page with a
form keeps what was typed (with JavaScript, app.js in the tab; without, the link's button sends the page's own
form: app/web/typed_draft.py), and only once."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.conftest import Portal
from tests.browser.seed import SPANISH_USERNAME
from tests.browser.walk import Inspector, axe_violations, current_path, describe_violations, submit

ADDRESS = "48 Peachtree Road"


def test_the_language_link_keeps_the_typing_with_or_without_javascript(page: Page, portal: Portal,
                                                                      inspector: Inspector) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(portal.base_url + "/")
    page.locator("#username").fill(SPANISH_USERNAME)
    page.locator("#password").fill(portal.seed["password"])
    submit(page, lambda: page.get_by_role("button", name="Log In").click())
    page.goto(portal.base_url + "/household/address")
    assert page.locator("html").get_attribute("lang") == "es"
    page.locator("#address-line1").fill(ADDRESS)
    page.locator("#city").fill("Decatur")
    submit(page, lambda: page.get_by_role("button", name="English").click())
    assert current_path(page) == "/household/address"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#address-line1").input_value() == ADDRESS
    assert page.locator("#city").input_value() == "Decatur"
    violations = axe_violations(page) if page.javascript else inspector.violations(page)
    assert not violations, describe_violations(violations)
    submit(page, lambda: page.get_by_role("button", name="Español").click())  # her account back in Spanish
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("#address-line1").input_value() == ADDRESS
    # Kept once: opening the page again shows the address on file.
    page.goto(portal.base_url + "/household/address")
    assert page.locator("#address-line1").input_value() == "12 Maple Street"
    assert not page.problems, page.problems


def test_an_error_shows_again_in_the_language_switched_to(page: Page, portal: Portal, inspector: Inspector) -> None:
    """A parent who cannot read the error switches language: the error comes back in it, with what was typed."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(portal.base_url + "/")
    page.locator("#username").fill(portal.seed["username"])
    page.locator("#password").fill(portal.seed["password"])
    submit(page, lambda: page.get_by_role("button", name="Log In").click())
    page.goto(portal.base_url + "/household/email")
    page.locator("#email").fill("maria at example")
    submit(page, lambda: page.locator("#email").press("Enter"))
    assert page.get_by_text("Enter an email address in the right format").first.is_visible()
    submit(page, lambda: page.get_by_role("button", name="Español").click())
    assert current_path(page) == "/household/email"
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_text("Hay un problema").is_visible()
    assert page.get_by_text("Escriba un correo electrónico con el formato correcto").first.is_visible()
    assert page.locator("#email").input_value() == "maria at example"
    violations = axe_violations(page) if page.javascript else inspector.violations(page)
    assert not violations, describe_violations(violations)
    submit(page, lambda: page.get_by_role("button", name="English").click())  # the account back in English
    assert page.locator("html").get_attribute("lang") == "en"
    assert not page.problems, page.problems
