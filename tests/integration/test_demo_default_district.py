"""The default demo district (`homeroom demo` with no options), built once for this module: these tests
only read it, so they share one build instead of each making its own (tests/integration/test_demo.py has
the tests that build, rebuild or change a district)."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict

import pytest

from app.demo import DEMO_PASSWORD, GRADES, describe_demo, fill_demo_district
from app.services.access import access_day
from app.services.eligibility import eligible_links
from app.settings import get_settings
from app.tables import GuardianLink, Person, SchoolEnrollment, UserAccount
from tests.conftest import empty_every_table
from tests.integration.test_demo import active_schools_by_student


@pytest.fixture(scope="module")
async def default_district(migrated_database):
    """Built on the tests' fake clock (March 2026), as each test's own build was; no test here writes."""
    from app import clock as app_clock
    from tests.integration.conftest import START, FakeClock

    app_clock.set_clock(FakeClock(START))
    try:
        await empty_every_table()
        return await fill_demo_district()
    finally:
        app_clock.set_clock(None)


async def test_the_default_district_has_sixty_students_at_four_schools(default_district):
    summary = default_district
    assert (summary.students, summary.schools, summary.accounts) == (60, 4, 2)
    assert await Person.count().where(Person.kind == "student") == 60


async def test_students_birth_dates_match_their_grades(default_district):
    school_year = 2026  # the fake clock says March 2026
    rows = await SchoolEnrollment.select(SchoolEnrollment.grade, SchoolEnrollment.student.birth_date.as_alias("born"))
    for row in rows:
        age_on_first_of_september = (school_year - 1) - row["born"].year - (
            (row["born"].month, row["born"].day) > (9, 1))
        assert age_on_first_of_september == 5 + GRADES.index(row["grade"]), row


async def test_the_district_has_every_case_the_parent_flows_need(default_district):
    schools = await active_schools_by_student()
    links = await GuardianLink.select()
    children: dict[int, list[int]] = defaultdict(list)
    for link in links:
        if link["is_guardian"] and link["portal_access"]:
            children[link["guardian"]].append(link["student"])

    assert any(len(s) > 1 for s in schools.values()), "a student enrolled at two schools"
    assert any(len(kids) >= 3 for kids in children.values()), "a guardian with several children"
    assert any(len(kids) == 2 and len(set().union(*(schools[k] for k in kids))) == 2
               for kids in children.values()), "a guardian whose two children are at two different schools"
    assert await SchoolEnrollment.exists().where(SchoolEnrollment.status == "inactive")
    assert any(not l["portal_access"] and l["is_guardian"] for l in links), "a guardian without portal access"
    assert any(not l["is_guardian"] and l["relationship"] == "emergency contact" for l in links)
    assert await Person.exists().where((Person.kind == "guardian") & Person.id.not_in(eligible_links(await access_day()))), \
        "someone the key office has to refuse"


async def test_emails_on_file_are_lower_case_example_addresses_one_shared_by_two_accounts(default_district):
    summary = default_district
    emails = [r["email"] for r in await Person.select(Person.email).where(Person.email.is_not_null())]
    assert emails and all(e == e.lower() and re.fullmatch(r"[a-z0-9.]+@example\.(org|com)", e) for e in emails)
    holders = await UserAccount.select(UserAccount.username).where(
        UserAccount.person.email == summary.shared_email)
    assert len(holders) == 2 and {h["username"] for h in holders} == set(summary.usernames)


async def test_the_instructions_say_how_to_try_it(default_district):
    summary = default_district
    settings = dataclasses.replace(get_settings(), env="demo", smtp_url=None)
    text = describe_demo(summary, settings)
    assert settings.public_url in text
    assert f"{settings.public_url}/dev/mailbox" in text
    for candidate in summary.key_candidates:
        assert f"  .venv/bin/homeroom keys issue --guardian {candidate.source_id}" in text  # as the README runs it
    assert "demoparent" in text and DEMO_PASSWORD in text
    assert "phone" in text
    assert "/dev/mailbox" not in describe_demo(summary)  # with SMTP configured there is no dev mailbox
