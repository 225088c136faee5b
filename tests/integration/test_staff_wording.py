"""The console in words staff read (issue 13, an outside tester's findings): audit events as words, not codes;
a person's name where a name is meant; queue counts that say what they count and where; a rejected or slow
second-step code that does not read as "your session ended"."""

from __future__ import annotations

from app.rules.audit_words import ACTION_WORDS, action_words
from tests.integration.test_staff_console import address_change, as_staff, events_table, words  # noqa: F401


def test_every_audit_code_the_portal_writes_has_words():
    import re
    from pathlib import Path

    source = "\n".join(p.read_text() for p in Path("app").rglob("*.py"))
    written = set(re.findall(r'audit\.record\(\s*"([a-z.-]+)"', source))
    written |= {f"access.{d}" for d in ("blocked", "changed")} | {f"correction.{o}" for o in ("corrected",
                                                                                             "not-changed")}
    assert written and not written - set(ACTION_WORDS), sorted(written - set(ACTION_WORDS))
    assert action_words("something.new-thing") == "Something: new thing"


async def test_the_audit_log_shows_words_not_codes(portal, admin):  # noqa: F811
    await as_staff(portal, "DistrictAdmin")
    page = await portal.get("/staff/audit")
    table = events_table(page.text)
    assert "Logged in" in table and "login.succeeded" not in table
    assert '<option value="login.succeeded">Logged in</option>' in page.text  # the filter still sends the code


async def test_an_address_change_names_the_parent_and_the_console_says_what_it_counts(
        portal, maple, address_change):  # noqa: F811
    _, (good, _bad) = address_change
    await as_staff(portal, "MapleOffice")
    page = words((await portal.get(f"/staff/household-changes/{good}")).text)
    assert "Asked by Rosa Rivera on" in page and "RosaRivera" not in page
    console = words((await portal.get("/staff")).text)
    assert "Waiting for the office" in console and "At Maple Street Elementary:" in console
    assert "2 address changes wait for approval" in console and "0 key requests wait for a decision" in console
