"""Issue 13 item 6: the account page names a session's browser and system as a parent would."""

from __future__ import annotations

import pytest

from app.rules.devices import Device, device_of

ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/124.0.0.0 Mobile Safari/537.36")
IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/17.4 Mobile/15E148 Safari/604.1")
WINDOWS_EDGE = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0")
MAC_FIREFOX = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:125.0) Gecko/20100101 Firefox/125.0"


@pytest.mark.parametrize(("header", "device"), [
    (ANDROID_CHROME, Device("Chrome", "Android")),
    (IPHONE_SAFARI, Device("Safari", "iPhone")),
    (WINDOWS_EDGE, Device("Edge", "Windows")),
    (MAC_FIREFOX, Device("Firefox", "macOS")),
])
def test_common_browsers_by_the_names_parents_know(header, device):
    assert device_of(header) == device


@pytest.mark.parametrize("header", ["", "   ", None, "seed", "python-httpx/0.27.0", "\x00" * 600])
def test_an_unknown_or_empty_header_names_nothing(header):
    assert device_of(header) == Device("", "")
