"""Reaching a state of PAGES in a browser, and the checks every state must pass (docs/quality.md §2)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python
from playwright.sync_api import Browser, BrowserContext, Page, Response

from tests.browser.seed_staff import trusted_cookie
from tests.browser.pages import (BROWSER_LOCALE, Check, Fill, Follow, ForgetCookies, Goto, PageState, Select, Submit,
                                 TrustedBrowser)

AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# axe-core is loaded as a same-origin script (allowed by the CSP, and compiled once, unlike an evaluate).
AXE_PATH = "/__axe-core__.js"

# Before a submit: mark the document, and note when htmx has finished (swap, focus and title included).
MARK_DOCUMENT = """() => {
  window.__sameDocument = true;
  window.__htmxFinished = false;
  document.addEventListener('htmx:finally:request', () => { window.__htmxFinished = true }, {once: true});
}"""
# Settled: either htmx finished in this document, or a new document has loaded.
SETTLED = "() => document.readyState === 'complete' && (window.__sameDocument === undefined || window.__htmxFinished)"


class Values(Mapping):
    """What the braces in PAGES stand for; {reset_link} is asked for only when a state needs it."""

    def __init__(self, known: dict[str, str], reset_link: Callable[[], str]) -> None:
        self._known = {**known, "unique": uuid.uuid4().hex[:10]}
        self._reset_link = reset_link

    def __getitem__(self, name: str) -> str:
        if name == "reset_link":
            return self._reset_link()
        return self._known[name]

    def __iter__(self):
        return iter(self._known)

    def __len__(self) -> int:
        return len(self._known)


@dataclass
class Arrival:
    """How the last step ended: `swapped` when htmx put the answer into the page without a page load."""

    swapped: bool = False
    submitted: bool = False
    responses: list[Response] = field(default_factory=list)  # everything the last step fetched

    @property
    def posts(self) -> list[Response]:
        return [r for r in self.responses if r.request.method == "POST"]


def reach(page: Page, state: PageState, base_url: str, values: Mapping[str, str]) -> Arrival:
    arrival = Arrival()
    page.on("response", lambda response: arrival.responses.append(response))
    page.goto(base_url + state.start.format_map(values) if state.start.startswith("/")
              else state.start.format_map(values))
    for step in state.steps:
        arrival.responses.clear()
        arrival.swapped = arrival.submitted = False
        if isinstance(step, Fill):
            page.locator(f"#{step.field}").fill(step.value.format_map(values))
        elif isinstance(step, Check):
            page.locator(f"#{step.field}").check()
        elif isinstance(step, Select):
            page.locator(f"#{step.field}").select_option(index=step.index)
        elif isinstance(step, Goto):
            page.goto(base_url + step.url.format_map(values))
        elif isinstance(step, ForgetCookies):
            page.context.clear_cookies()
        elif isinstance(step, TrustedBrowser):
            page.context.add_cookies([trusted_cookie(step.token, base_url)])
        elif isinstance(step, Follow):
            with page.expect_navigation():
                page.locator(step.link).first.click()
        elif isinstance(step, Submit):
            arrival.submitted = True
            arrival.swapped = submit(page, lambda: page.get_by_role("button", name=step.button).click())
    return arrival


def submit(page: Page, action: Callable[[], None]) -> bool:
    """Submit a form (by a click or a key) and wait until its answer is in the page. True when htmx swapped
    it in; False when the browser loaded a new page (no JavaScript, a plain form, or HX-Redirect)."""
    if not page.javascript:
        with page.expect_navigation():
            action()
        return False
    page.evaluate(MARK_DOCUMENT)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        action()
    redirect = posted.value.headers.get("hx-redirect")
    if redirect:
        page.wait_for_url(lambda url: _path(url) == redirect)
        page.wait_for_load_state("load")
        return False
    page.wait_for_function(SETTLED)
    return bool(page.evaluate("() => window.__sameDocument === true"))


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def current_path(page: Page) -> str:
    return _path(page.url)


# --- checks ---------------------------------------------------------------------------------------------

class Inspector:
    """axe-core for pages without JavaScript, which cannot run it (timers never fire there): the page's DOM
    is copied, scripts removed, into a JavaScript-enabled page at the same URL and size, with the same CSS."""

    def __init__(self, browser: Browser) -> None:
        self.context = browser.new_context(java_script_enabled=True, locale=BROWSER_LOCALE)
        serve_axe(self.context)
        self.page = self.context.new_page()
        self._url = self._html = ""
        self.page.route(lambda url: url == self._url, lambda route: route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=self._html))

    def violations(self, page: Page) -> list[dict]:
        self._url = page.url
        self._html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S | re.I)
        self.page.set_viewport_size(page.viewport_size)
        self.page.goto(self._url)
        return axe_violations(self.page)

    def close(self) -> None:
        self.context.close()


def axe_violations(page: Page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_PATH)
    result = page.evaluate(
        """async (tags) => {
          const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
          return {passes: result.passes.length, violations: result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))};
        }""",
        AXE_TAGS,
    )
    assert result["passes"] > 0, f"axe-core checked nothing on {page.url}"
    return result["violations"]


def serve_axe(context: BrowserContext) -> None:
    context.route(f"**{AXE_PATH}", lambda route: route.fulfill(
        status=200, content_type="text/javascript", body=AXE_SOURCE, headers={"Cache-Control": "max-age=3600"}))


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"    {node}" for node in v["nodes"][:5])
    return "\n".join(lines)


def page_width_at(page: Page, width: int, height: int) -> int:
    page.set_viewport_size({"width": width, "height": height})
    return page.evaluate("() => document.documentElement.scrollWidth")


UNLABELLED_INPUTS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(input => input.type !== 'hidden' && input.type !== 'submit')
  .filter(input => input.getClientRects().length > 0)  // not rendered (e.g. a form shown only with a passkey)
  .filter(input => {
    const label = input.id && document.querySelector(`label[for="${input.id}"]`);
    if (!label) return true;
    const box = label.getBoundingClientRect(), style = getComputedStyle(label);
    return box.width < 2 || box.height < 2 || style.visibility === 'hidden' || !label.textContent.trim();
  })
  .map(input => input.outerHTML)"""

ERROR_STRUCTURE = """() => {
  const summary = document.querySelector('.error-summary');
  const invalid = [...document.querySelectorAll('[aria-invalid="true"]')];
  return {
    summary: !!summary,
    summaryTargets: summary ? [...summary.querySelectorAll('a')].map(a => a.getAttribute('href')) : [],
    invalid: invalid.map(input => ({
      id: input.id,
      describedBy: (input.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean),
      errorId: input.closest('.field')?.querySelector('.error')?.id || null,
    })),
    inlineErrors: document.querySelectorAll('.field .error').length,
  };
}"""


def focused_element(page: Page) -> str:
    return page.evaluate("""() => {
      const e = document.activeElement;
      return e ? e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '') : 'none';
    }""")


# Every visible element with text of its own whose colour is light (relative luminance above 0.5: white,
# light grey, yellow), as "tag: text". Used with print media, where no background is printed.
LIGHT_TEXT = """() => {
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    const own = [...element.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim()).length;
    if (!own || !element.getClientRects().length) continue;
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || style.display === "none") continue;
    const [r, g, b] = style.color.match(/\\d+(\\.\\d+)?/g).map(Number);
    const luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    if (luminance > 0.5) found.push(element.tagName.toLowerCase() + ": " + element.textContent.trim().slice(0, 40));
  }
  return found;
}"""
