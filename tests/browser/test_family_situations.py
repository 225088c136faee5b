"""Issue 13: situations real families met, in Chromium with JavaScript on (the plain-form side of each is in
the walk, tests/browser/pages.py): typing kept across the language link and across signing in again after
the session ended, and the warning before the idle limit."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Portal
from tests.browser.seed import SPANISH_USERNAME
from tests.browser.walk import axe_violations, current_path, describe_violations, submit

ADDRESS = "48 Peachtree Road"


@pytest.fixture
def javascript() -> bool:
    return True  # these behaviours are JavaScript's; without it each is a plain page the walk checks


def log_in(page: Page, portal: Portal, username: str) -> None:
    page.goto(portal.base_url + "/")
    page.locator("#username").fill(username)
    page.locator("#password").fill(portal.seed["password"])
    submit(page, lambda: page.get_by_role("button", name="Log In").click())


def test_the_language_link_keeps_what_was_typed(page: Page, portal: Portal) -> None:
    log_in(page, portal, SPANISH_USERNAME)
    page.goto(portal.base_url + "/household/address")
    assert page.locator("html").get_attribute("lang") == "es"
    page.locator("#address-line1").fill(ADDRESS)
    submit(page, lambda: page.get_by_role("button", name="English").click())
    assert current_path(page) == "/household/address"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#address-line1").input_value() == ADDRESS
    page.locator("#address-line1").fill(ADDRESS + " Apt 2")
    submit(page, lambda: page.get_by_role("button", name="Español").click())  # her account back in Spanish
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("#address-line1").input_value() == ADDRESS + " Apt 2"
    # Kept once: opening the page again shows the address on file.
    page.goto(portal.base_url + "/household/address")
    assert page.locator("#address-line1").input_value() == "12 Maple Street"


def test_typing_survives_signing_in_again_after_the_session_ended(page: Page, portal: Portal) -> None:
    log_in(page, portal, portal.seed["username"])
    page.goto(portal.base_url + "/household/address")
    page.locator("#address-line1").fill(ADDRESS)
    page.context.add_cookies([{"name": "homeroom_session", "value": "ended-" + "x" * 40,
                               "url": portal.base_url}])  # the server no longer knows this session
    submit(page, lambda: page.get_by_role("button", name="Send to the school office").click())
    assert current_path(page) == "/?notice=session-ended&next=%2Fhousehold%2Faddress"
    assert page.get_by_text("Your session ended. Log in again to continue.").is_visible()
    page.locator("#username").fill(portal.seed["username"])
    page.locator("#password").fill(portal.seed["password"])
    submit(page, lambda: page.get_by_role("button", name="Log In").click())
    assert current_path(page) == "/household/address"
    assert page.locator("#address-line1").input_value() == ADDRESS


def test_a_warning_comes_before_the_idle_limit(page: Page, portal: Portal) -> None:
    page.clock.install()
    log_in(page, portal, portal.seed["username"])
    page.goto(portal.base_url + "/household")
    warning = page.locator("#idle-warning")
    assert warning.is_hidden()
    page.clock.fast_forward("23:00")
    assert warning.is_hidden()
    page.clock.fast_forward("01:01")  # 5 minutes before the limit (counted a minute early)
    assert warning.is_visible()
    assert page.get_by_text("you will be logged out in 5 minutes").is_visible()
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    with page.expect_response(lambda r: r.url.endswith("/session/alive")) as alive:
        page.get_by_role("button", name="Stay logged in").click()
    assert alive.value.status == 200
    page.wait_for_function("() => document.getElementById('idle-warning').hidden")
    page.clock.fast_forward("29:30")
    assert page.get_by_text("You were logged out because nothing happened for a while.").is_visible()
    assert page.get_by_role("link", name="Log in again to come back to this page").get_attribute(
        "href") == "/?next=/household"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1024


def test_the_ssn_is_typed_on_a_number_pad_and_can_be_shown(page: Page, portal: Portal) -> None:
    page.goto(portal.base_url + "/request-key")
    ssn = page.locator("#ssn")
    assert ssn.get_attribute("inputmode") == "numeric" and ssn.get_attribute("type") == "password"
    ssn.fill("000000000")
    show = page.get_by_role("button", name="Show")
    show.click()
    assert ssn.get_attribute("type") == "text"
    hide = page.get_by_role("button", name="Hide")
    assert hide.get_attribute("aria-pressed") == "true"
    hide.click()
    assert ssn.get_attribute("type") == "password"
    # Kept when another field is wrong (in that reply only), hidden again.
    page.locator("#phone").fill("12")
    submit(page, lambda: page.get_by_role("button", name="Submit").click())
    assert page.locator("#ssn").input_value() == "000000000"
    assert page.locator("#ssn").get_attribute("type") == "password"


def test_enter_in_the_key_box_sends_the_form(page: Page, portal: Portal) -> None:
    page.goto(portal.base_url + "/activate")
    page.locator("#activation-key").fill("2222-3333-4444-6666-7777-9999-CCCC-DDDO")
    submit(page, lambda: page.locator("#activation-key").press("Enter"))
    assert page.get_by_text("Activation keys never contain the letter O.").first.is_visible()
    page.set_viewport_size({"width": 320, "height": 640})
    box = page.locator("#activation-key").bounding_box()
    assert box["width"] <= 300
    assert page.evaluate("() => document.getElementById('activation-key').scrollWidth <= "
                         "document.getElementById('activation-key').clientWidth")  # wraps, no sideways scroll


def test_a_dropped_connection_says_so_and_keeps_the_typing(page: Page, portal: Portal) -> None:
    page.goto(portal.base_url + "/forgot-password")
    page.locator("#identifier").fill("someone@example.com")
    page.route("**/forgot-password", lambda route: route.abort("internetdisconnected")
               if route.request.method == "POST" else route.continue_())
    page.get_by_role("button", name="Email me a link").click()
    problem = page.locator("#request-problem")
    problem.wait_for(state="visible")
    assert "could not be reached" in problem.inner_text()
    assert page.evaluate("() => document.activeElement.id") == "request-problem"
    assert page.locator("#identifier").input_value() == "someone@example.com"
    assert page.locator("form[aria-busy]").count() == 0  # not left busy
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    page.unroute("**/forgot-password")
    submit(page, lambda: page.get_by_role("button", name="Email me a link").click())
    assert current_path(page) == "/forgot-password/sent" and problem.is_hidden()


def test_a_double_tap_sends_one_request(page: Page, portal: Portal) -> None:
    page.goto(portal.base_url + "/forgot-password")
    page.locator("#identifier").fill("someone@example.com")
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    submit(page, lambda: page.evaluate("""() => {
      const button = document.querySelector('#main button[type=submit]');
      button.click(); button.click(); button.click();
    }"""))
    page.wait_for_timeout(300)
    assert len(posts) == 1, posts
    assert current_path(page) == "/forgot-password/sent"


def test_three_children_fit_in_far_fewer_screens_on_a_phone(page: Page, portal: Portal) -> None:
    """Issue 13 item 6: three children took eight screens at 360 px. Every child's summary now comes first and
    the details are folded: the summaries end within two screens, and the page is a fraction of what it is
    with every detail open (the old page showed them all)."""
    log_in(page, portal, SPANISH_USERNAME)  # the grandmother: Ana, Luis and Sofia
    page.set_viewport_size({"width": 360, "height": 640})
    page.goto(portal.base_url + "/home")
    children = page.locator("li.child")
    assert children.count() == 3
    summaries_end = page.evaluate("() => { const c = document.querySelectorAll('li.child');"
                                  " return c[c.length - 1].getBoundingClientRect().bottom + window.scrollY }")
    folded = page.evaluate("() => document.documentElement.scrollHeight")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    unfolded = page.evaluate("() => document.documentElement.scrollHeight")
    print(f"home at 360x640, three children: summaries end at {summaries_end:.0f} px, "
          f"page {folded} px folded, {unfolded} px with every detail open")
    assert summaries_end <= 2 * 640
    assert folded <= 3 * 640 and folded <= unfolded * 0.6
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    violations = axe_violations(page)  # with the details open
    assert not violations, describe_violations(violations)


def test_missing_work_looks_different_from_a_grade(page: Page, portal: Portal) -> None:
    """Missing work is said in words and set apart by weight and a bar, not by colour alone."""
    log_in(page, portal, portal.seed["username"])
    attention = page.locator("li.attention").first
    assert "missing assignment" in attention.inner_text()
    style = attention.evaluate("(e) => { const s = getComputedStyle(e); "
                               "return [s.fontWeight, s.borderLeftWidth, s.borderLeftStyle] }")
    assert int(style[0]) >= 700 and float(style[1].rstrip("px")) >= 4 and style[2] == "solid"
    grade_line = page.locator("details.child-details li").first
    assert grade_line.evaluate("(e) => getComputedStyle(e).fontWeight") != style[0]


def test_an_empty_cell_shows_no_bare_label_on_a_phone(page: Page, portal: Portal) -> None:
    """On a phone each cell shows its column's name before it: a whole-day absence with no class periods showed a
    bare "Classes:" under it (a parent tester's find). An empty cell is not shown at all."""
    log_in(page, portal, portal.seed["username"])
    page.locator('a[href$="/attendance"]').first.click()
    page.wait_for_load_state()
    page.set_viewport_size({"width": 360, "height": 640})
    empty = "() => [...document.querySelectorAll('td[data-label]')].filter(td => !td.textContent.trim())"
    assert page.evaluate(empty + ".length") > 0  # the seed has such a day
    assert page.evaluate(empty + ".filter(td => td.getClientRects().length > 0).length") == 0


def test_the_term_list_fits_a_phone_in_spanish(page: Page, portal: Portal) -> None:
    """The term switch named each term with two days and their weekdays ("Segundo trimestre, lunes 2 de noviembre
    – viernes 29 de enero"): at 360 px in Spanish the list showed only its start (a parent tester's find). A term's
    days are written without the weekday; the longest term's text fits the list's box."""
    page.goto(portal.base_url + "/?lang=es")  # a Spanish device: no question about which language to keep
    page.locator("#username").fill(SPANISH_USERNAME)
    page.locator("#password").fill(portal.seed["password"])
    submit(page, lambda: page.locator("form:has(#password) button[type=submit]").click())
    page.locator('a[href$="/grades"]').first.click()
    page.wait_for_load_state()
    page.set_viewport_size({"width": 360, "height": 640})
    widths = page.evaluate("""() => {
        const list = document.querySelector('#term'), style = getComputedStyle(list);
        const pen = document.createElement('canvas').getContext('2d');
        pen.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const widest = Math.max(...[...list.options].map(o => pen.measureText(o.text).width));
        // The most the list can be: its form's width (max-width: 100%), less its padding, border and arrow.
        const room = list.parentElement.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
            - parseFloat(style.borderLeftWidth) - parseFloat(style.borderRightWidth) - 24;
        return {widest, room, texts: [...list.options].map(o => o.text), lang: document.documentElement.lang};
    }""")
    assert widths["lang"] == "es", widths
    assert widths["widest"] <= widths["room"], widths


def test_the_language_link_works_on_a_step_that_started_a_new_session(page: Page, portal: Portal) -> None:
    """A tester's find: after the activation key was accepted (a new session, the step swapped in by htmx), the
    language link at the top still held the old session's CSRF token and answered "This form has expired"."""
    page.goto(portal.base_url + "/activate")
    page.locator("#activation-key").fill(portal.seed["keys"]["language_js"])
    assert submit(page, lambda: page.get_by_role("button", name="Submit").click())  # swapped in by htmx
    assert current_path(page) == "/activate/account"
    page.locator("#username").fill("languagejs")
    submit(page, lambda: page.get_by_role("button", name="Español").click())
    assert current_path(page) == "/activate/account"
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("#username").input_value() == "languagejs"


def test_a_draft_left_in_a_shared_tab_fills_no_one_elses_form(page: Page, portal: Portal) -> None:
    """A tester's find: typing kept in the tab after the session ended came back in the form of the next person
    who signed in there (drafts now carry the page's mark of the account)."""
    log_in(page, portal, portal.seed["username"])
    page.goto(portal.base_url + "/household/address")
    page.locator("#address-line1").fill(ADDRESS)
    page.context.add_cookies([{"name": "homeroom_session", "value": "ended-" + "x" * 40,
                               "url": portal.base_url}])
    submit(page, lambda: page.get_by_role("button", name="Send to the school office").click())
    assert current_path(page) == "/?notice=session-ended&next=%2Fhousehold%2Faddress"
    page.locator("#username").fill(SPANISH_USERNAME)  # someone else signs in at the same computer
    page.locator("#password").fill(portal.seed["password"])
    submit(page, lambda: page.get_by_role("button", name="Log In").click())
    page.goto(portal.base_url + "/household/address")
    assert page.locator("#address-line1").input_value() == "12 Maple Street"


def test_the_language_link_keeps_a_choice_from_a_list(page: Page, portal: Portal) -> None:
    log_in(page, portal, portal.seed["username"])
    page.goto(portal.base_url + "/household/corrections")
    choice = page.locator("#record option").nth(1).get_attribute("value")
    page.locator("#record").select_option(choice)
    page.locator("#message").fill("She was at the dentist")
    submit(page, lambda: page.get_by_role("button", name="Español").click())
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("#record").input_value() == choice
    assert page.locator("#message").input_value() == "She was at the dentist"
    submit(page, lambda: page.get_by_role("button", name="English").click())  # the account back in English
