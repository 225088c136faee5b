"""A number in a link or a form written with a character that Python's `str.isdigit()` takes but `int()` refuses
("²", a superscript two) was a server error on six pages, four of them open to anyone (an attacker's find, issue 13).
Each now treats it as it treats any other value that is not a number: the same status as for "x"."""

from __future__ import annotations

import pytest

from tests.integration.district import PASSWORD
from tests.integration.portal import error_messages
from tests.integration.test_access import school_year  # noqa: F401  (a fixture)
from tests.integration.test_records import student_url

NOT_A_NUMBER = ["%C2%B2", "%EF%BC%91", "x"]  # "²", a full-width "1", and the value every page already refused


async def _statuses(portal, make_url) -> set[int]:
    return {(await portal.get(make_url(value))).status_code for value in NOT_A_NUMBER}


async def test_public_links(portal, district):
    assert await _statuses(portal, lambda v: f"/forgot-username/sent?left={v}") == {200}
    assert len(await _statuses(portal, lambda v: f"/unsubscribe/{v}.0.abc")) == 1
    answers = {(await portal.client.post(f"/unsubscribe/{v}.1.abc", content=b"List-Unsubscribe=One-Click",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})).status_code
               for v in NOT_A_NUMBER}
    assert len(answers) == 1 and answers.pop() < 500


async def test_signed_in_cursors(portal, district, school_year):  # noqa: F811
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    assert await _statuses(portal, lambda v: f"/account?sessions_before={v}") == {200}
    assert await _statuses(portal, lambda v: student_url(district, "ana", f"viewed?before={v}")) == {200}


@pytest.mark.parametrize("record", ["\u00b2", "\uff11", "x"])
async def test_a_correction_for_a_record_that_is_not_a_number(portal, district, school_year, record):  # noqa: F811
    assert (await portal.log_in("rosa", PASSWORD)).status_code == 303
    response = await portal.post("/household/corrections", {"record": record, "message": "We moved to 40 Oak Lane."})
    assert response.status_code == 422 and "Choose the record that is wrong" in error_messages(response.text)
