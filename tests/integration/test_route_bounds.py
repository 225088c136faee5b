"""Issue 9, item 8: every route parameter, walked with out-of-range integers and dates, as a visitor, a
parent, school staff and a district admin (and with the demo's dev mailbox mounted): a 4xx, never a 500."""

from __future__ import annotations

import dataclasses
import re
import uuid

import pytest

from tests.integration.district import PASSWORD, make_account
from tests.integration.portal import running_portal
from tests.integration.test_staff_console import STAFF_PASSWORD, staff_account

HOSTILE_INTEGERS = [str(2**64), str(2**63), str(2**31), str(-(2**63) - 1), "-1", "0", "9" * 40]
HOSTILE_DATES = ["9999-12-31", "0001-01-01", "10000-01-01", "2026-02-30", "2026-13-01"]


def demo_app():
    from app import create_app
    from app.settings import get_settings

    return create_app(dataclasses.replace(get_settings(), env="demo", smtp_url=None))


def paths_to_walk(app) -> list[tuple[str, str, list[str]]]:
    """(method, path with hostile path values, names of the handler's query parameters)."""
    walked = []
    for route in app.routes:
        if route.path.startswith("/static"):
            continue
        for handler in getattr(route, "route_handlers", []):
            methods = sorted(set(handler.http_methods) & {"GET", "POST"})
            if not methods:
                continue
            params = handler.parsed_fn_signature.parameters
            queries = [n for n, p in params.items() if n not in route.path_parameters and n not in ("self", "request")
                       and p.annotation in (str, int)]
            for value in HOSTILE_INTEGERS + ["x"]:
                path = re.sub(r"\{(\w+):int\}", value, route.path)
                path = re.sub(r"\{(\w+):uuid\}", str(uuid.uuid4()), path)
                path = re.sub(r"\{(\w+):str\}", value, path)
                for method in methods:
                    walked.append((method, path, queries))
    return sorted(set((m, p, tuple(q)) for m, p, q in walked))


async def walk(browser, app) -> list[str]:
    fives = []
    for method, path, queries in paths_to_walk(app):
        variants = [""] + [f"?{q}={v}" for q in queries for v in HOSTILE_INTEGERS + HOSTILE_DATES]
        for query in variants:
            if method == "GET":
                response = await browser.get(path + query)
            else:
                response = await browser.post(path + query, {})
            if response.status_code >= 500:
                fives.append(f"{method} {path}{query} -> {response.status_code}")
    return fives


@pytest.mark.parametrize("who", ["visitor", "parent", "school-staff", "district-admin"])
async def test_no_route_answers_500_to_out_of_range_numbers_or_dates(database, mailbox, district, who):
    await make_account(district.guardian("sam"), "SamPark")
    await staff_account("MapleOffice", "school-staff", "sch-maple")
    await staff_account("DistrictAdmin", "district-admin", None)
    app = demo_app()
    async with running_portal(app) as browser:
        if who == "parent":
            assert (await browser.log_in("SamPark", PASSWORD)).status_code == 303
        elif who == "school-staff":
            assert (await browser.log_in("MapleOffice", STAFF_PASSWORD)).status_code == 303
        elif who == "district-admin":
            assert (await browser.log_in("DistrictAdmin", STAFF_PASSWORD)).status_code == 303
        fives = await walk(browser, app)
    assert fives == []


async def test_the_audit_page_says_what_is_wrong_with_a_date_out_of_range(portal, district):
    await staff_account("DistrictAdmin", "district-admin", None)
    await portal.log_in("DistrictAdmin", STAFF_PASSWORD)
    response = await portal.get("/staff/audit?until=9999-12-31&since=0001-01-01")
    assert response.status_code == 422
    assert "Enter a date like 2026-09-01" in response.text
