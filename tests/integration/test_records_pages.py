"""Issue 13 items 7 and 13: "Who has viewed these records" shows views by others first and reads a page at a
time, newest first, from the (person, action, id) index; the account page's live sessions likewise."""

from __future__ import annotations

import re

import pytest

from tests.integration.district import PASSWORD
from tests.integration.portal import page_text
from tests.integration.test_records import school_year, student_url, table_rows  # noqa: F401


@pytest.fixture
async def many_views(school_year, district):  # noqa: F811
    """120 views of Ana's records by Rosa herself, then 3 by Luis, then 10 more by Rosa."""
    from app.tables import AuditEvent

    ana, rosa, luis = district.students["ana"].id, school_year["rosa"], school_year["luis"]

    def view(actor, what):
        return AuditEvent(action="records.viewed", actor=actor, person=ana, detail=what, ip="127.0.0.1")

    await AuditEvent.insert(*[view(rosa, "grades") for _ in range(120)])
    await AuditEvent.insert(*[view(luis, "attendance") for _ in range(3)])
    await AuditEvent.insert(*[view(rosa, "schedule") for _ in range(10)])


async def test_views_by_others_come_first_without_the_parents_own(portal, many_views, district):
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    page = await portal.get(student_url(district, "ana", "viewed"))
    rows = table_rows(page.text, "The latest")
    # One row a visit (app/rules/record_of_access.py): Luis's three views close together are one.
    assert [row[1:] for row in rows] == [["Luis Rivera, parent or guardian", "Attendance (3 views)"]]
    assert "Your own views are left out." in page_text(page.text) and "?mine=shown" in page.text


async def test_pages_of_fifty_views_newest_first_to_the_end_each_ending_at_a_visits_start(portal, many_views,
                                                                                          district):
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    url = student_url(district, "ana", "viewed?mine=shown")
    pages = []
    while url:
        page = await portal.get(url)
        assert page.status_code == 200
        pages.append([row[1:] for row in table_rows(page.text, "The latest" if not pages else "Older views")])
        older = re.search(r'href="([^"]*before=\d+[^"]*)">Older views', page.text)
        url = older.group(1).replace("&amp;", "&") if older else None
        assert url is None or "mine=shown" in url
    # 133 views (reading this page is not itself a view), all in the same minute: the first page's 50 views end
    # inside Rosa's long visit, so it stops before it; a visit longer than a page goes on over several.
    assert pages == [[["You", "Schedule (10 views)"], ["Luis Rivera, parent or guardian", "Attendance (3 views)"]],
                     [["You", "Grades (50 views)"]], [["You", "Grades (50 views)"]], [["You", "Grades (20 views)"]]]


@pytest.mark.parametrize("before", ["abc", "-5", "99999999999999999999", "1.5", "0"])
async def test_a_hand_made_cursor_never_breaks_the_page(portal, many_views, district, before):
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    response = await portal.get(student_url(district, "ana", f"viewed?before={before}"))
    assert response.status_code == 200


async def test_each_page_is_read_from_the_index(database, many_views):
    """On SQLite the plan is stable at any size: a search of the composite index, no sort."""
    import os

    from app.tables import AuditEvent

    if not os.environ.get("DATABASE_URL", "sqlite").startswith("sqlite"):
        pytest.skip("PostgreSQL picks by table size; the district-size plan is in bench/RESULTS.md")
    from app.services.records import _ACCESS_LOG

    plan = await AuditEvent.raw("EXPLAIN QUERY PLAN " + _ACCESS_LOG, 1, "records.viewed", 10**6, 1, True, 51)
    details = " ".join(str(row.get("detail")) for row in plan)
    assert "audit_event_person_action_id" in details and "TEMP B-TREE" not in details, details


OLD_DESKTOP = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
NEW_PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/124.0.0.0 Mobile Safari/537.36")


async def test_the_account_lists_live_sessions_a_page_at_a_time(portal, district):
    from app.services.account_settings import SESSIONS_PAGE
    from app.services.sessions import start_session
    from tests.integration.district import make_account

    sam = await make_account(district.guardian("sam"), "SamPark")
    for n in range(SESSIONS_PAGE + 3):
        # the three oldest on a Linux desktop, the newer ones on a phone: the page shows devices in words
        await start_session(account_id=sam, ip="127.0.0.1", user_agent=OLD_DESKTOP if n < 3 else NEW_PHONE)
    assert (await portal.log_in("SamPark", PASSWORD)).status_code == 303
    first = await portal.get("/account")
    text = page_text(first.text)
    assert text.index("This device") < text.index("Another device")
    assert text.count("Another device") == SESSIONS_PAGE
    assert "Firefox on Linux" not in text  # newest first: the three oldest are on the next page
    older = re.search(r'href="(/account\?sessions_before=\d+)"', first.text).group(1)
    second = page_text((await portal.get(older)).text)
    assert "This device" not in second
    assert second.count("Another device") == 4  # and the session make_account left ("district factory")
    assert second.count("Firefox on Linux") == 3
    assert "Older sign-ins still logged in" not in page_text((await portal.get(older)).text)
    assert (await portal.get("/account?sessions_before=abc")).status_code == 200
