"""Phones from OneRoster users.csv fill the Household page (issue 10 item 3), and changes flow both ways
without fighting (item 4): a parent's confirmed email or phone holds over the SIS's older value until the
SIS sends the new value or a newer one, and the household export carries every change with who and when."""

from __future__ import annotations

import csv
import io
import re

from tests.integration import leaks
from tests.integration.district import PASSWORD, make_account
from tests.integration.portal import error_messages, page_text
from tests.integration.roster_files import full_set_11, users_11, write_set
from tests.integration.test_import_oneroster import person, run_import

ROSA_LINE = 3  # par-rosa's row in users_11() (the header is row 0)
EMAIL, SMS, PHONE = 12, 13, 14  # users.csv 1.1 columns


def set_with(tmp_path, name: str, **cells: str):
    files = full_set_11()
    users = users_11()
    for column, value in cells.items():
        users[ROSA_LINE][{"email": EMAIL, "sms": SMS, "phone": PHONE}[column]] = value
    files["users"] = users
    return write_set(tmp_path / name, files)


async def rosa_phones() -> list[tuple[str, str, bool]]:
    from app.tables import ContactPhone

    rosa = await person("par-rosa")
    rows = await ContactPhone.select().where(ContactPhone.person == rosa.id).order_by(ContactPhone.id)
    return [(r["kind"], r["number"], r["from_sis"]) for r in rows]


async def imported(folder):
    report = await run_import(folder)
    assert not report.has_errors, report.lines()
    return report


async def test_guardian_phones_from_users_csv_fill_the_household_page(portal, tmp_path):
    report = await imported(set_with(tmp_path, "one", sms="404-802-1000", phone="(470) 802-2000"))
    assert report.counts["phones"] == 2
    assert await rosa_phones() == [("mobile", "+14048021000", True), ("home", "+14708022000", True)]
    assert not any((await imported(set_with(tmp_path, "one", sms="404-802-1000",
                                            phone="(470) 802-2000"))).counts.values())

    await make_account(await person("par-rosa"), "rosarivera")
    assert (await portal.log_in("rosarivera", PASSWORD)).status_code == 303
    text = page_text((await portal.get("/household")).text)
    assert "(404) 802-1000" in text and "(470) 802-2000" in text

    # The same number twice is one mobile; a number that cannot be dialed is left out with a warning.
    report = await imported(set_with(tmp_path, "two", sms="404-802-1000", phone="802-1000"))
    assert any("users.csv, line 4, column phone: is not a phone number that can be dialed" in line
               for line in report.lines()), report.lines()
    assert await rosa_phones() == [("mobile", "+14048021000", True), ("home", "+14708022000", True)]
    await imported(set_with(tmp_path, "three", sms="404-802-1000", phone="404-802-1000"))
    assert await rosa_phones() == [("mobile", "+14048021000", True)]
    # An empty cell: the SIS has no number of that kind any more.
    await imported(set_with(tmp_path, "four", sms="", phone=""))
    assert await rosa_phones() == []


async def confirm_email(portal, deliver, address: str) -> None:
    response = await portal.post("/household/email", {"email": address, "current_password": PASSWORD})
    assert response.status_code == 303, error_messages(response.text)
    [mail] = [m for m in await deliver() if m.to == address]
    link = re.search(r"http://portal\.test(/email/confirm/\S+)", mail.text).group(1)
    leaks.remember(link.rsplit("/", 1)[1], leaks.TOKEN)
    assert (await portal.get(link)).status_code == 303
    assert (await portal.post("/email/confirm")).status_code == 303


async def test_a_confirmed_email_survives_the_old_sis_value_and_a_third_value_wins(portal, deliver, tmp_path, clock):
    from app.tables import PortalChange

    await imported(set_with(tmp_path, "one"))  # Rosa.Rivera@Example.ORG
    await make_account(await person("par-rosa"), "rosarivera")
    assert (await portal.log_in("rosarivera", PASSWORD)).status_code == 303
    await confirm_email(portal, deliver, "rosa.new@example.org")

    clock.advance(days=1)
    report = await imported(set_with(tmp_path, "one"))  # the SIS still has the old address
    assert (await person("par-rosa")).email == "rosa.new@example.org"
    assert not any(report.counts.values()), report.counts

    report = await imported(set_with(tmp_path, "third", email="rosa.third@example.org"))
    assert (await person("par-rosa")).email == "rosa.third@example.org"
    assert report.counts["portal changes the SIS has now loaded"] == 1
    [change] = await PortalChange.select().where(PortalChange.field == "email")
    assert (change["value"], change["previous"], change["settled_how"]) == (
        "rosa.new@example.org", "rosa.rivera@example.org", "sis-newer")
    # Settled: the SIS is the source again, even for the value it had before.
    await imported(set_with(tmp_path, "one"))
    assert (await person("par-rosa")).email == "rosa.rivera@example.org"


async def test_the_sis_catching_up_settles_the_change(portal, deliver, tmp_path):
    from app.tables import PortalChange

    await imported(set_with(tmp_path, "one"))
    await make_account(await person("par-rosa"), "rosarivera")
    assert (await portal.log_in("rosarivera", PASSWORD)).status_code == 303
    await confirm_email(portal, deliver, "rosa.new@example.org")
    await imported(set_with(tmp_path, "new", email="rosa.new@example.org"))
    [change] = await PortalChange.select().where(PortalChange.field == "email")
    assert change["settled_how"] == "sis-caught-up"


async def test_a_phone_the_parent_changed_is_not_undone_and_every_change_is_exported(portal, deliver, tmp_path,
                                                                                       clock):
    from app.exports.household_changes import write_household_changes

    await imported(set_with(tmp_path, "one", sms="404-802-1000"))
    await make_account(await person("par-rosa"), "rosarivera")
    assert (await portal.log_in("rosarivera", PASSWORD)).status_code == 303
    response = await portal.post(f"/household/phones/{await first_phone_id()}", {
        "kind": "mobile", "number": "678-802-3000", "current_password": PASSWORD})
    assert response.status_code == 303, error_messages(response.text)
    assert await rosa_phones() == [("mobile", "+16788023000", False)]
    clock.advance(minutes=5)
    await confirm_email(portal, deliver, "rosa.new@example.org")

    clock.advance(days=1)
    await imported(set_with(tmp_path, "one", sms="404-802-1000"))  # the SIS's old number
    assert await rosa_phones() == [("mobile", "+16788023000", True)]  # kept; now the number the SIS will hold
    await imported(set_with(tmp_path, "one", sms="404-802-1000"))
    assert await rosa_phones() == [("mobile", "+16788023000", True)]
    await imported(set_with(tmp_path, "sis-new", sms="470-802-4000"))  # a newer number entered in the SIS
    assert await rosa_phones() == [("mobile", "+14708024000", True)]

    out = io.StringIO(newline="")
    assert await write_household_changes(out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["change"], r["person_sourcedId"], r["phone_kind"], r["phone"], r["email"], r["previous"],
             r["requested_by"], r["how"]) for r in rows] == [
        ("phone", "par-rosa", "mobile", "(678) 802-3000", "", "(404) 802-1000", "rosarivera",
         "confirmed by the parent"),
        ("email", "par-rosa", "", "", "rosa.new@example.org", "rosa.rivera@example.org", "rosarivera",
         "confirmed by the parent")]
    assert all(r["decided_at"].endswith("Z") for r in rows)


async def first_phone_id() -> int:
    from app.tables import ContactPhone

    rosa = await person("par-rosa")
    row = await ContactPhone.select(ContactPhone.id).where(ContactPhone.person == rosa.id).first()
    return row["id"]


async def test_an_address_staff_approved_is_recorded_for_imports_and_exported(district, tmp_path):
    from app.exports.household_changes import write_household_changes
    from app.services.staff_household_queue import decide_household_change
    from app.services.sessions import SignedInAccount
    from app.tables import Household, HouseholdChangeRequest, HouseholdMember, PortalChange, UserAccount

    parent = await make_account(district.guardian("sam"), "sampark")
    clerk = UserAccount(username="clerk1", username_key="clerk1", password_hash="x", role="district-admin")
    await clerk.save()
    home = Household(source_id="hh-park", name="Park", address_line1="9 Cedar Lane", city="Decatur", state="GA",
                     postal_code="30030")
    await home.save()
    await HouseholdMember(household=home.id, person=district.guardian("sam").id).save()
    request = HouseholdChangeRequest(household=home.id, requested_by=parent, address_line1="14 Oak St",
                                     city="Decatur", state="GA", postal_code="30030")
    await request.save()
    staff = SignedInAccount(id=clerk.id, username="clerk1", role="district-admin", person_id=None, school_id=None,
                            language="en")
    decided = await decide_household_change(staff, request.id, True, "", ip="127.0.0.1")
    assert decided and decided.done
    [change] = await PortalChange.select().where(PortalChange.field == "address")
    assert (change["value"], change["previous"], change["how"]) == (
        "14 Oak St\n\nDecatur\nGA\n30030", "9 Cedar Lane\n\nDecatur\nGA\n30030", "approved")
    out = io.StringIO(newline="")
    assert await write_household_changes(out) == 1
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert (row["change"], row["household_sourcedId"], row["address_line1"], row["decided_by"], row["how"]) == (
        "address", "hh-park", "14 Oak St", "clerk1", "approved by staff")


async def test_a_number_with_an_extension_is_left_out_with_the_true_reason(clean_database, tmp_path):
    """It has its area code: the extension is why (an IT lead's find: the warning spoke of area codes)."""
    report = await imported(set_with(tmp_path, "ext", sms="(512) 555-0142 x204", phone="(470) 802-2000"))
    assert ("WARNING: users.csv, line 4, column sms: has an extension (ext. 204): the portal keeps only numbers that "
            "reach the family directly, so it is left out; put the extension in the SIS's notes, not in the "
            "number") in report.lines(), report.lines()
    assert await rosa_phones() == [("home", "+14708022000", True)]
