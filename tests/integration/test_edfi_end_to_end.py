"""Issue 10 "what it must show": a guardian imported from OneRoster + Ed-Fi signs in and sees term grades,
both kinds of attendance, and the household address and phones from the SIS; a Spanish-speaking guardian's
key email arrives in Spanish."""

from __future__ import annotations

import pytest

from tests.integration.district import PASSWORD, SSN, make_account
from tests.integration.edfi_files import full_set, write_edfi
from tests.integration.portal import page_text
from tests.integration.roster_files import full_set_11, write_set


@pytest.fixture
async def imported(clean_database, tmp_path):
    from app.importers.edfi import import_edfi
    from app.importers.edfi_source import FolderSource
    from app.importers.oneroster import import_oneroster

    assert not (await import_oneroster(write_set(tmp_path / "roster", full_set_11()))).has_errors
    report = await import_edfi(FolderSource(write_edfi(tmp_path / "edfi", full_set())))
    assert not report.has_errors, report.lines()


async def person(source_id: str):
    from app.tables import Person

    return await Person.objects().where(Person.source_id == source_id).first()


async def test_a_guardian_from_oneroster_and_ed_fi_sees_grades_attendance_and_household(imported, portal):
    tom, ben = await person("gua-tom"), await person("stu-ben")
    await make_account(tom, "TomRivera")
    assert (await portal.log_in("TomRivera", PASSWORD)).status_code == 303
    home = page_text((await portal.get("/home")).text)  # the yearly verification works on imported households
    assert "Check your household information for the 2025–2026 school year" in home, home

    grades = page_text((await portal.get(f"/students/{ben.public_id}/grades")).text)
    assert "Term grades in Quarter 3" in grades and "ArtADaniel Lee" in grades, grades  # course, grade, teacher

    attendance = page_text((await portal.get(f"/students/{ben.public_id}/attendance")).text)
    assert "Tardy" in attendance and "Bus late" in attendance  # a school (daily) event
    # a section (class-period) event: Art is period 2 in OneRoster's classes.csv
    assert "Unexcused absence0 days; 1 class period missed" in attendance and "Thu, Mar 5 Period 2, Art: Unexcused absence" in attendance, attendance

    household = page_text((await portal.get("/household")).text)
    for expected in ("12 Elm Street", "4B", "Maple", "GA", "30301", "Rosa Rivera", "Ben Rivera", "Ana Rivera"):
        assert expected in household, (expected, household)
    assert "(404) 555-0111" in household or "404-555-0111" in household or "+1 404" in household, household
    assert "No household address on file" not in household


async def test_a_spanish_speaking_guardians_key_email_arrives_in_spanish(imported, portal, deliver):
    from app.rules.ssn import normalise_ssn, ssn_digest
    from app.settings import get_settings
    from app.tables import Person

    ana = await person("stu-ana")  # as `homeroom import ssn` leaves it
    await Person.update({Person.ssn_hash: ssn_digest(get_settings().ssn_pepper, normalise_ssn(SSN))}).where(
        Person.id == ana.id)
    # Rosa asks on the English page; the SIS (Ed-Fi languages: spa) says she speaks Spanish.
    response = await portal.post("/request-key", {
        "requester_name": "Rosa Rivera", "relationship": "mother", "email": "rosa.rivera@example.org",
        "phone": "404-555-0101", "student_number": "1001", "ssn": SSN, "birth_date": "05/02/2014"})
    assert response.status_code == 303
    [mail] = await deliver()
    assert mail.envelope_to == ("rosa.rivera@example.org",)
    assert mail.subject.startswith("Su clave de activación"), mail.subject
    assert "Esta es su clave de activación" in mail.text


async def test_the_household_export_names_an_imported_household(imported, portal):
    """An address change staff approved on a household Ed-Fi made goes out with that household's id."""
    import io
    from datetime import datetime, timezone

    from app.exports.household_changes import write_household_changes
    from app.tables import Household, HouseholdChangeRequest, UserAccount

    tom = await make_account(await person("gua-tom"), "TomRivera")
    clerk = UserAccount(username="clerk1", username_key="clerk1", password_hash="x", role="school-staff")
    await clerk.save()
    home = await Household.select(Household.id).where(Household.source_id == "edfi-household-gua-tom").first()
    await HouseholdChangeRequest(household=home["id"], requested_by=tom, address_line1="99 Pine Avenue",
                                 city="Maple", state="GA", postal_code="30301", status="approved",
                                 decided_at=datetime(2026, 3, 9, tzinfo=timezone.utc), decided_by=clerk.id).save()
    out = io.StringIO()
    assert await write_household_changes(out) == 1
    assert "edfi-household-gua-tom" in out.getvalue() and "99 Pine Avenue" in out.getvalue()
