"""Weight budgets (docs/quality.md §3), measured in Chromium through the DevTools protocol: bytes on the wire
(response headers plus the compressed body, `encodedDataLength`), everything the browser fetched.

The walk (test_pages.py, JavaScript on) weighs every full page of PAGES: the first visit from an empty cache
(the session's cookies carried over, so signed-in and mid-wizard pages are their real selves), then a repeat
visit that must fetch only the HTML. Every htmx response met on the way to a state must be a small fragment."""

from __future__ import annotations

import time

from playwright.sync_api import Browser, Page

from tests.browser.pages import BROWSER_LOCALE, PageState, Submit

KB = 1024
LOGIN_PAGE = 20 * KB
FULL_PAGE = 30 * KB
HTML_DOCUMENT = 10 * KB
FIRST_RENDER = 14 * KB  # HTML + CSS
FRAGMENT = 3 * KB

MEASURED: list[tuple[str, int, int, int, int, int, str]] = []  # printed by conftest at the end of the session


class Traffic:
    """Every response a page received, from the DevTools protocol. A redirect hop is an entry of its own."""

    def __init__(self, page: Page) -> None:
        self.entries: list[dict] = []
        self._open: dict[str, dict] = {}
        session = page.context.new_cdp_session(page)
        session.on("Network.requestWillBeSent", self._sent)
        session.on("Network.responseReceived", self._received)
        session.on("Network.requestServedFromCache", lambda e: self._open[e["requestId"]].update(cached=True))
        session.on("Network.loadingFinished", self._finished)
        session.on("Network.loadingFailed", self._finished)
        session.send("Network.enable")

    def _sent(self, event: dict) -> None:
        redirect = event.get("redirectResponse")
        if redirect:
            hop = self._open.pop(event["requestId"])
            hop.update(status=redirect["status"], bytes=redirect["encodedDataLength"], done=True)
        entry = {"url": event["request"]["url"], "method": event["request"]["method"], "type": event.get("type"),
                 "status": None, "bytes": 0, "cached": False, "done": False, "headers": {}}
        self._open[event["requestId"]] = entry
        self.entries.append(entry)

    def _received(self, event: dict) -> None:
        response = event["response"]
        self._open[event["requestId"]].update(
            status=response["status"], headers={k.lower(): v for k, v in response["headers"].items()},
            cached=self._open[event["requestId"]]["cached"] or response.get("fromDiskCache", False)
            or response.get("fromPrefetchCache", False))

    def _finished(self, event: dict) -> None:
        entry = self._open.get(event["requestId"])
        if entry:
            entry.update(bytes=event.get("encodedDataLength", 0), done=True)

    def settle(self, page: Page) -> list[dict]:
        deadline = time.monotonic() + 5
        while not all(e["done"] for e in self.entries) and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        return list(self.entries)

    def clear(self) -> None:
        self.entries.clear()


def is_full_page(state: PageState) -> bool:
    """States that are a page of their own (a form's errors are the same page; a 403 answers a POST)."""
    ends_with_post = bool(state.steps) and isinstance(state.steps[-1], Submit)
    return not state.errors and (not ends_with_post or bool(state.lands_on))


def total(entries: list[dict], *types: str) -> int:
    return sum(e["bytes"] for e in entries if not types or e["type"] in types)


def weight_problems(browser: Browser, state: PageState, page: Page, fragments: list[dict]) -> list[str]:
    """Weigh the page `page` shows as a first visitor with its cookies would get it, then as a repeat
    visitor; `fragments` are the htmx responses met on the way. Returns what is over budget."""
    visitor = browser.new_context(storage_state=page.context.storage_state(), locale=BROWSER_LOCALE)
    try:
        fresh = visitor.new_page()
        traffic = Traffic(fresh)
        fresh.goto(page.url)
        first = traffic.settle(fresh)
        traffic.clear()
        fresh.goto(page.url)
        repeat = traffic.settle(fresh)
    finally:
        visitor.close()

    html, css = total(first, "Document"), total(first, "Stylesheet")
    budget = LOGIN_PAGE if state.start == "/" and not state.steps else FULL_PAGE
    encodings = ",".join(sorted({e["headers"].get("content-encoding", "none") for e in first}))
    MEASURED.append((state.name, total(first), html, css, total(first, "Script"),
                     max((e["bytes"] for e in fragments), default=0), encodings))
    problems = []
    if total(first) > budget:
        problems.append(f"first visit {total(first)} B > {budget} B: "
                        + ", ".join(f"{e['url'].split('/', 3)[-1]} {e['bytes']}" for e in first))
    if html > HTML_DOCUMENT:
        problems.append(f"HTML {html} B > {HTML_DOCUMENT} B")
    if html + css > FIRST_RENDER:
        problems.append(f"HTML + CSS {html + css} B > {FIRST_RENDER} B")
    for e in fragments:
        if e["bytes"] > FRAGMENT:
            problems.append(f"htmx response {e['method']} {e['url']} {e['bytes']} B > {FRAGMENT} B")
    for e in first:
        if e["type"] != "Document" and "/static/" in e["url"]:
            if "?v=" not in e["url"] or "immutable" not in e["headers"].get("cache-control", ""):
                problems.append(f"{e['url']} is not fingerprinted and immutable: {e['headers'].get('cache-control')}")
    fetched_again = [e for e in repeat if e["type"] != "Document" and (not e["cached"] and e["bytes"] > 0
                                                                        or e["status"] == 304)]
    if fetched_again:
        problems.append(f"the repeat visit fetched more than the HTML: {[e['url'] for e in fetched_again]}")
    if len([e for e in repeat if e["type"] == "Document"]) != 1:
        problems.append(f"the repeat visit fetched {[e['url'] for e in repeat]}")
    return problems
