"""Which browser on which system a session came from, as a parent reads it ("Chrome on Android"), from the
User-Agent header the session kept (issue 13 item 6: the account page showed the raw header).

The header is read with ua-parser (the Python port of the ua-parser/uap-core rules that browsers' makers and
most analytics tools share, kept up to date monthly through ua-parser-builtins), not with patterns of our
own: user agents change every few weeks and a home-made list would be wrong within a year. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

# ua-parser's family names, shortened to what a parent knows the program by.
_BROWSERS = {
    "Chrome Mobile": "Chrome", "Chrome Mobile iOS": "Chrome", "Chrome Mobile WebView": "Chrome",
    "HeadlessChrome": "Chrome", "Mobile Safari": "Safari", "Mobile Safari UI/WKWebView": "Safari",
    "Firefox Mobile": "Firefox", "Firefox iOS": "Firefox", "Edge Mobile": "Edge", "Opera Mobile": "Opera",
    "Samsung Internet": "Samsung Internet",
}
_SYSTEMS = {"Mac OS X": "macOS", "Chrome OS": "ChromeOS"}


@dataclass(frozen=True)
class Device:
    browser: str  # "" when not known
    system: str  # "" when not known


@lru_cache(maxsize=256)
def device_of(user_agent: str | None) -> Device:
    """The browser and system of a User-Agent header; empty strings for what it does not say."""
    if not user_agent or not user_agent.strip():
        return Device("", "")
    from ua_parser import parse

    found = parse(user_agent[:512])
    browser = found.user_agent.family if found.user_agent and found.user_agent.family != "Other" else ""
    system = found.os.family if found.os and found.os.family != "Other" else ""
    if system == "iOS" and found.device and found.device.family in ("iPhone", "iPad", "iPod"):
        system = found.device.family  # a parent knows their iPhone, not "iOS"
    return Device(_BROWSERS.get(browser, browser), _SYSTEMS.get(system, system))
