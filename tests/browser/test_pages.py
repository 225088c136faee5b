"""Every page and state in PAGES, with JavaScript on and off (docs/quality.md §2): axe-core finds nothing, the page
reflows at 320 px, inputs have visible labels, errors are summarised and tied to their fields, focus and
title follow an htmx swap, without JavaScript each step is a plain POST answered with a 303, and every full
page keeps to the weight budgets (weights.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import Portal
from tests.browser.pages import PAGES, PageState
from tests.browser.weights import Traffic, is_full_page, weight_problems
from tests.browser.walk import (ERROR_STRUCTURE, LIGHT_TEXT, UNLABELLED_INPUTS, Inspector, Values, axe_violations, current_path,
                                describe_violations, focused_element, page_width_at, reach)


def values_for(portal: Portal, request: pytest.FixtureRequest, key_holder: str = "states") -> Values:
    seed = portal.seed
    return Values({"key": seed["keys"][key_holder], "username": seed["username"], "password": seed["password"],
                   "email": seed["email"], "unsubscribe": seed["unsubscribe"],
                   "weekend_day": seed["weekend_day"], "reported_day": seed["reported_day"],
                   "report_day": seed["report_days"]["[nojs-" in request.node.name]},
                  lambda: request.getfixturevalue("reset_link"))


def base_url(portal: Portal, state: PageState) -> str:
    return portal.demo_url if state.server == "demo" else portal.base_url


@pytest.mark.parametrize("state", PAGES, ids=str)
def test_page_state(state: PageState, page: Page, portal: Portal, browser: Browser, inspector: Inspector,
                    request: pytest.FixtureRequest) -> None:
    traffic = Traffic(page) if page.javascript else None
    arrival = reach(page, state, base_url(portal, state), values_for(portal, request))
    page.emulate_media(media=state.media)
    failures: list[str] = []

    def check(ok: bool, message: str) -> None:
        if not ok:
            failures.append(message)

    # Where we are: the URL, the title naming the step, what the page must show.
    if state.lands_on:
        check(current_path(page) == state.lands_on, f"URL is {page.url}, expected {state.lands_on}")
    h1 = page.locator("h1")
    check(h1.count() == 1, f"{h1.count()} h1 elements")
    step_name = state.title or h1.first.inner_text()
    expected_title = ("Error: " if state.errors else "") + step_name + " – "
    title = page.title()
    check(title.startswith(expected_title), f"title {title!r} should start {expected_title!r}")
    for text in state.shows:
        check(page.get_by_text(text).first.is_visible(), f"{text!r} is not shown")

    # How the last step was answered.
    if arrival.submitted:
        posts = arrival.posts
        check(bool(posts), "the last step posted nothing")
        if page.javascript and state.reloads:
            check(not arrival.swapped, "signing in or out should load the whole page")
        elif page.javascript:
            check(arrival.swapped, "with JavaScript the answer should be swapped into <main> by htmx")
            check(all(p.request.resource_type == "fetch" for p in posts), "the form was not sent by htmx")
            expected_focus = ".error-summary" if state.errors else "h1"
            check(page.evaluate("(s) => document.activeElement === document.querySelector('#main ' + s)",
                                expected_focus),
                  f"focus is on {focused_element(page)}, expected {expected_focus}")
        if not page.javascript and posts:
            expected = 422 if state.errors else 303 if state.lands_on else None
            if expected:
                check(posts[-1].status == expected, f"POST answered {posts[-1].status}, expected {expected}")

    # Errors: summarised with links, each field marked invalid and described by its message.
    structure = page.evaluate(ERROR_STRUCTURE)
    invalid_ids = [field["id"] for field in structure["invalid"]]
    check(invalid_ids == list(state.errors), f"invalid fields {invalid_ids}, expected {list(state.errors)}")
    check(structure["summary"] == bool(state.errors), f"error summary shown: {structure['summary']}")
    check(structure["summaryTargets"] == [f"#{f}" for f in state.errors],
          f"error summary links to {structure['summaryTargets']}")
    check(structure["inlineErrors"] == len(state.errors), f"{structure['inlineErrors']} inline errors")
    for field in structure["invalid"]:
        check(field["errorId"] is not None and field["errorId"] in field["describedBy"],
              f"#{field['id']} is not described by its error message ({field})")

    check(not page.evaluate(UNLABELLED_INPUTS), f"inputs without a visible label: {page.evaluate(UNLABELLED_INPUTS)}")
    if state.media == "print":  # backgrounds do not print: light text would be white on white paper
        light = page.evaluate(LIGHT_TEXT)
        check(not light, f"text that prints too light to read on white paper: {light}")

    # axe-core runs once per state and mode: at desktop width with JavaScript, at 320 px without (Inspector).
    if page.javascript:
        violations = axe_violations(page)
        check(not violations, f"axe-core violations:\n{describe_violations(violations)}")
    width = page_width_at(page, 320, 640)
    check(width <= 320, f"at 320 px the page is {width} px wide")
    if not page.javascript:
        violations = inspector.violations(page)
        check(not violations, f"axe-core violations at 320 px:\n{describe_violations(violations)}")

    if page.javascript:
        check(not page.problems, f"console: {page.problems}")
        if is_full_page(state):
            fragments = [e for e in traffic.settle(page) if e["type"] == "Fetch"]
            failures.extend(weight_problems(browser, state, page, fragments))
    assert not failures, f"{state} ({'js' if page.javascript else 'no js'}):\n" + "\n".join(failures)
