"""Key letters a district can really mail (issue 11 item 4) and the key slip's words (item 5).

The factory district: the Riveras (Rosa and Luis, one address shared) have Ana at Maple Street and Benito at
Oak Ridge; Sam and Nora Park have Cleo at Maple (Nora without portal access); Gail Moss's only child has left.
So the eligible guardians without an account are Rosa, Luis and Sam."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from tests.integration import leaks
from tests.integration.test_csv_exports import homeroom


@pytest.fixture
async def rivera_home(district):
    from app.tables import Household, HouseholdMember, Person

    home = Household(source_id="hh-rivera", name="Rivera", address_line1="12 Elm Street", address_line2="Apt 3",
                     city="Atlanta", state="GA", postal_code="30303")
    await home.save()
    for key in ("rosa", "luis"):
        await HouseholdMember(household=home.id, person=district.guardian(key).id).save()
    await Person.update({Person.language: "es"}).where(Person.id == district.guardian("rosa").id)
    return home


async def key_rows() -> list[dict]:
    from app.tables import ActivationKey

    return await ActivationKey.select().order_by(ActivationKey.id)


def remember(run) -> None:
    for letter in run.letters:
        if letter.key:
            leaks.remember_key(letter.key)


async def test_twice_in_a_row_without_reissue_issues_nothing_new(district, rivera_home):
    from app.services.key_letters import key_letters

    first = await key_letters()
    remember(first)
    assert [l.source_id for l in first.letters] == ["gua-sam", "gua-luis", "gua-rosa"]
    keys = await key_rows()
    second = await key_letters()
    assert second.letters == [] and second.skipped_with_unused_key == 3
    assert await key_rows() == keys  # nothing issued, nothing revoked: the printed letters still work

    replaced = await key_letters(reissue=True)
    remember(replaced)
    assert len(replaced.letters) == 3 and all(l.replaces_unused_key for l in replaced.letters)
    rows = await key_rows()
    assert len(rows) == 6 and sum(r["revoked_at"] is not None for r in rows) == 3


async def test_a_family_at_two_schools_gets_one_letter(district, rivera_home):
    from app.services.key_letters import key_letters

    maple = await key_letters("sch-maple")
    remember(maple)
    oak = await key_letters("sch-oak")
    assert oak.letters == [] and oak.skipped_with_unused_key == 2  # the Riveras already have their letters
    [rosa] = [l for l in maple.letters if l.source_id == "gua-rosa"]
    assert rosa.children == ("Ana Rivera (Maple Street Elementary)", "Benito Rivera (Oak Ridge Middle)")
    assert rosa.schools == ("Maple Street Elementary", "Oak Ridge Middle")
    assert sum(1 for r in await key_rows() if r["guardian"] == district.guardian("rosa").id) == 1


async def test_a_dry_run_issues_nothing(district, rivera_home):
    from app.services.key_letters import key_letters

    run = await key_letters(dry_run=True)
    assert len(run.letters) == 3 and all(l.key == "" and l.expires_on is None for l in run.letters)
    assert await key_rows() == []


async def test_a_dry_run_writes_either_format_and_issues_nothing(district, rivera_home, tmp_path):
    csv_file, html_file = tmp_path / "letters.csv", tmp_path / "letters.html"
    as_csv = homeroom("keys", "letters", "--dry-run", "--output", str(csv_file))
    as_html = homeroom("keys", "letters", "--dry-run", "--format", "html", "--output", str(html_file))
    for run in (as_csv, as_html):
        assert run.returncode == 0 and b"3 letter(s) would be issued (dry run: nothing was issued)" in run.stderr
    assert len(csv_file.read_text(encoding="utf-8").splitlines()) == 4  # the header and three guardians
    pages = re.findall(r'<article class="slip" lang="(\w+)">(.*?)</article>', html_file.read_text(encoding="utf-8"),
                       re.S)
    assert [lang for lang, _ in pages] == ["en", "en", "es"]
    assert all("DRY RUN: NO KEY ISSUED" in page for _, page in pages)
    assert not re.search(r"[234679CDFHJKMNPR]{4}(?:-[234679CDFHJKMNPR]{4}){7}", html_file.read_text())
    assert await key_rows() == []


async def test_the_csv_carries_what_a_mail_merge_needs(district, rivera_home, clock):
    from app.services.key_letters import CSV_HEADER, csv_rows, key_letters

    # 22:00 in New York on 10 March is 02:00 UTC on the 11th: the key's last day is the district's.
    clock.set(datetime(2026, 3, 11, 2, 0, tzinfo=timezone.utc))
    run = await key_letters()
    remember(run)
    rows = {row[0]: dict(zip(CSV_HEADER, row)) for row in csv_rows(run.letters)}
    rosa = rows["gua-rosa"]
    assert (rosa["given_name"], rosa["family_name"], rosa["address_line1"], rosa["address_line2"],
            rosa["city_state_zip"]) == ("Rosa", "Rivera", "12 Elm Street", "Apt 3", "Atlanta, GA 30303")
    assert rosa["language"] == "es" and rows["gua-luis"]["language"] == "en"
    assert rosa["children"] == "Ana Rivera (Maple Street Elementary); Benito Rivera (Oak Ridge Middle)"
    assert rosa["expires_on"] == "2026-04-09"  # 30 days, on the district's calendar (UTC says the 10th)
    assert re.fullmatch(r"[234679CDFHJKMNPR]{4}(-[234679CDFHJKMNPR]{4}){7}", rosa["activation_key"])
    assert rows["gua-sam"]["address_line1"] == ""  # no household on file: the merge sees an empty address


async def test_an_address_without_a_second_line_keeps_the_city_in_its_own_column(district, rivera_home):
    """Found by a first-time district user: the city moved into address_line2 when there was no second line."""
    from app.services.key_letters import CSV_HEADER, csv_rows, key_letters
    from app.tables import Household, HouseholdMember

    park = Household(source_id="hh-park", name="Park", address_line1="48 Peachtree Ave", address_line2="",
                     city="Decatur", state="GA", postal_code="30030")
    await park.save()
    await HouseholdMember(household=park.id, person=district.guardian("sam").id).save()
    run = await key_letters(dry_run=True)
    sam = {row[0]: dict(zip(CSV_HEADER, row)) for row in csv_rows(run.letters)}["gua-sam"]
    assert (sam["address_line1"], sam["address_line2"], sam["city_state_zip"]) == (
        "48 Peachtree Ave", "", "Decatur, GA 30030")


async def test_a_blocked_child_is_on_no_letter_and_a_guardian_who_may_see_no_child_gets_none(district, rivera_home,
                                                                                              tmp_path):
    from app.services.access import block_access
    from app.services.key_letters import key_letters
    from app.tables import Household, HouseholdMember, Person

    # Luis lives apart, with an address of his own (at Rosa's home, or to the mailbox she reads, no letter of his
    # would go: tests/integration/test_access_leaks.py).
    await HouseholdMember.delete().where(HouseholdMember.person == district.guardian("luis").id)
    await Person.update({Person.email: "luis.rivera@example.net"}).where(Person.id == district.guardian("luis").id)
    own = Household(source_id="hh-luis", name="Rivera", address_line1="3 Pine Road", city="Atlanta", state="GA",
                    postal_code="30305")
    await own.save()
    await HouseholdMember(household=own.id, person=district.guardian("luis").id).save()
    await block_access("gua-rosa", "stu-ana", "court-order")
    await block_access("gua-sam", "stu-cleo", "custody-agreement")
    run = await key_letters()
    remember(run)
    letters = {l.source_id: l for l in run.letters}
    assert set(letters) == {"gua-rosa", "gua-luis"}
    assert letters["gua-rosa"].children == ("Benito Rivera (Oak Ridge Middle)",)
    assert "Ana" in " ".join(letters["gua-luis"].children)
    # The printed letters say the same (the CSV above is what a mail merge gets).
    target = tmp_path / "letters.html"
    printed = homeroom("keys", "letters", "--reissue", "--format", "html", "--output", str(target))
    assert printed.returncode == 0, printed.stderr
    html = target.read_text(encoding="utf-8")
    for key in re.findall(r"[234679CDFHJKMNPR]{4}(?:-[234679CDFHJKMNPR]{4}){7}", html):
        leaks.remember_key(key)
    pages = {re.search(r"(Rosa|Luis|Sam) (Rivera|Park)", page).group(0): page
             for _, page in re.findall(r'<article class="slip" lang="(\w+)">(.*?)</article>', html, re.S)}
    assert set(pages) == {"Rosa Rivera", "Luis Rivera"}
    assert "Benito Rivera" in pages["Rosa Rivera"] and "Ana Rivera" not in pages["Rosa Rivera"]
    assert "Ana Rivera" in pages["Luis Rivera"] and "Benito Rivera" in pages["Luis Rivera"]


async def test_an_unknown_school_is_an_error_not_an_empty_file(district, tmp_path):
    target = tmp_path / "letters.csv"
    run = homeroom("keys", "letters", "--school", "sch-nowhere", "--output", str(target))
    assert run.returncode == 2 and b"no school with sourcedId 'sch-nowhere'" in run.stderr
    assert not target.exists()
    assert await key_rows() == []


async def test_the_html_letters_are_one_page_per_guardian_in_their_language(district, rivera_home, tmp_path):
    target = tmp_path / "letters.html"
    run = homeroom("keys", "letters", "--format", "html", "--output", str(target))
    assert run.returncode == 0, run.stderr
    html = target.read_text(encoding="utf-8")
    for key in re.findall(r"[234679CDFHJKMNPR]{4}(?:-[234679CDFHJKMNPR]{4}){7}", html):
        leaks.remember_key(key)
    pages = re.findall(r'<article class="slip" lang="(\w+)">(.*?)</article>', html, re.S)
    assert [lang for lang, _ in pages] == ["en", "en", "es"]  # Sam, Luis, Rosa (the SIS says Spanish)
    rosa = pages[2][1]
    assert "Rosa Rivera<br>12 Elm Street<br>Apt 3<br>Atlanta, GA 30303" in rosa
    assert "Su clave de activación" in rosa or "clave de activación" in rosa.lower()
    assert "page-break-after:always" in html
    again = homeroom("keys", "letters", "--dry-run")
    assert again.returncode == 0 and b"0 letter(s) would be issued" in again.stderr
    assert b"3 guardian(s) skipped" in again.stderr


async def test_the_slip_names_the_login_pages_link_in_the_guardians_language(portal, district):
    from app.tables import Person
    from tests.integration.test_key_request import KEY_PATTERN
    from tests.integration.test_staff_console import as_staff, staff_account

    await Person.update({Person.language: "es"}).where(Person.id == district.guardian("rosa").id)
    await staff_account("MapleOffice", "school-staff", "sch-maple")
    login = await portal.get("/")
    link_text = re.search(r'<a href="/activate">([^<]+)</a>', login.text).group(1)
    await as_staff(portal, "MapleOffice")
    for guardian, language in (("sam", "en"), ("rosa", "es")):
        person = district.guardian(guardian)
        issued = await portal.post(f"/staff/guardians/{person.public_id}/key",
                                   {"photo_id_type": "passport", "id_checked": "yes"})
        slip = await portal.get(issued.headers["location"])
        leaks.remember_key(KEY_PATTERN.search(slip.text).group(0))
        article = re.search(r'<article class="slip" lang="(\w+)">(.*?)</article>', slip.text, re.S)
        assert article.group(1) == language
        assert "data-print" in slip.text  # the Print button (shown by app.js)
        if language == "en":
            assert f"&#34;{link_text}&#34;" in article.group(2) or f'"{link_text}"' in article.group(2)
            assert "http://portal.test/activate" in article.group(2)
            assert "Ana" not in article.group(2) and "Cleo Park (Maple Street Elementary)" in article.group(2)
        else:
            assert "Ana Rivera (Maple Street Elementary)" in article.group(2)
            assert "Choose" not in article.group(2)  # the guardian's words, not the staff member's


async def test_the_clerk_chooses_the_slips_language_at_the_counter(portal, district):
    """A tester's find: a Spanish-speaking parent at the desk got an English slip whenever the SIS had no language
    for them. The form offers the portal's languages, the guardian's own chosen; the clerk's choice is the slip's."""
    from app.tables import Person
    from tests.integration.test_key_request import KEY_PATTERN
    from tests.integration.test_staff_console import as_staff, staff_account

    await Person.update({Person.language: "es"}).where(Person.id == district.guardian("rosa").id)
    await staff_account("MapleOffice", "school-staff", "sch-maple")
    await as_staff(portal, "MapleOffice")
    for guardian, checked in (("sam", "en"), ("rosa", "es")):
        form = (await portal.get(f"/staff/guardians/{district.guardian(guardian).public_id}")).text
        assert re.search(rf'name="slip_language" value="{checked}" checked', form), guardian
        assert '<label for="slip-language-es" lang="es">Español</label>' in form
    sam = district.guardian("sam")  # no language in the SIS: English unless the clerk says otherwise
    issued = await portal.post(f"/staff/guardians/{sam.public_id}/key",
                               {"photo_id_type": "passport", "id_checked": "yes", "slip_language": "es"})
    slip = await portal.get(issued.headers["location"])
    leaks.remember_key(KEY_PATTERN.search(slip.text).group(0))
    assert re.search(r'<article class="slip" lang="es">', slip.text)
    odd = await portal.post(f"/staff/guardians/{sam.public_id}/key",  # a language the portal lacks: the guardian's
                            {"photo_id_type": "passport", "id_checked": "yes", "slip_language": "xx"})
    slip = await portal.get(odd.headers["location"])
    leaks.remember_key(KEY_PATTERN.search(slip.text).group(0))
    assert re.search(r'<article class="slip" lang="en">', slip.text)


async def test_a_guardian_with_no_address_and_no_email_gets_no_key(district, rivera_home):
    """An IT lead's find (issue 13): keys were issued into letters with blank address columns. With an email
    address a letter is made (for an email merge); with neither, the guardian is named and no key issued."""
    from app.services.key_letters import key_letters
    from app.tables import Person

    await Person.update({Person.email: ""}).where(Person.id == district.guardian("sam").id)
    run = await key_letters()
    remember(run)
    assert "gua-sam" not in [l.source_id for l in run.letters]
    assert [(g.source_id, g.why) for g in run.left_out] == [("gua-sam", "no-address")]
    assert not await key_rows() or all(r["guardian"] != district.guardian("sam").id for r in await key_rows())
