"""Issue 13 item 8: parents type their email as their username. The email on file signs in when it belongs to
exactly one account, with the same limits as a username (counted apart from it) and the same reply for every
failure; every empty field is reported at once; /login leads to the login page."""

from __future__ import annotations

import pytest

from tests.integration.district import PASSWORD, SHARED_EMAIL, make_account
from tests.integration.portal import error_messages

# Any failure with an email address typed: the same reply whatever the address (on file or not, for one
# account or several), saying what a family that shares one should do (a tester's find).
WRONG = ("The username or password is not right. Check them and try again. An email address signs in only when "
         "one account uses it: if your family shares one, type your username (Forgot Your Username? emails it).")


@pytest.fixture
async def sam(district) -> int:
    return await make_account(district.guardian("sam"), "SamPark")


@pytest.fixture
async def riveras(district) -> None:
    await make_account(district.guardian("rosa"), "RosaR")
    await make_account(district.guardian("luis"), "LuisR")


@pytest.mark.parametrize("typed", ["sam.park@example.org", "Sam.Park@Example.ORG", "  sam.park@example.org "])
async def test_the_email_on_file_signs_in_when_one_account_has_it(portal, sam, typed):
    response = await portal.log_in(typed, PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/home"


async def test_an_email_shared_by_two_accounts_gets_the_usual_reply(portal, riveras):
    response = await portal.log_in(SHARED_EMAIL, PASSWORD)
    assert response.status_code == 422 and error_messages(response.text) == [WRONG]


@pytest.mark.parametrize("typed, password", [
    ("sam.park@example.org", "Not the password 1"),  # on file, wrong password
    ("nobody@example.org", PASSWORD),                # not on file
    ("nora.park@example.org", PASSWORD),             # on file, no account
    ("sam.park@", PASSWORD),                         # not an address
])
async def test_every_failure_gets_the_same_reply(portal, sam, typed, password):
    response = await portal.log_in(typed, password)
    assert response.status_code == 422 and error_messages(response.text) == [WRONG]


async def test_the_username_and_the_email_are_counted_apart(portal, sam):
    """A retester's find: counted together, ten failures under the username made the first try of an address
    refused only when it was that account's email, which told an attacker who knew a username its address."""
    from app.services.sign_in import FAILURES_ALLOWED

    for _ in range(FAILURES_ALLOWED):
        assert (await portal.log_in("SamPark", "Not the password 1")).status_code == 422
    assert "Too many failed attempts" in error_messages((await portal.log_in("SamPark", PASSWORD)).text)[0]
    for address in ("sam.park@example.org", "nobody@example.org"):  # the same first answer either way
        first = await portal.log_in(address, "Not the password 1")
        assert first.status_code == 422 and error_messages(first.text) == [WRONG]


async def test_a_username_typed_gets_the_usual_reply_without_the_email_hint(portal, sam):
    response = await portal.log_in("SamPark", "Not the password 1")
    assert error_messages(response.text) == ["The username or password is not right. Check them and try again."]


async def test_a_disabled_account_is_not_reached_by_its_email(portal, sam):
    from app.tables import UserAccount

    await UserAccount.update({UserAccount.disabled: True}).where(UserAccount.id == sam)
    response = await portal.log_in("sam.park@example.org", PASSWORD)
    assert response.status_code == 422 and error_messages(response.text) == [WRONG]


async def test_every_empty_field_is_reported_at_once(portal, district):
    response = await portal.log_in("", "")
    assert response.status_code == 422
    assert error_messages(response.text) == ["Enter your username", "Enter your password"]
    spanish = await portal.log_in("", "", headers={"Accept-Language": "es"})
    assert len(error_messages(spanish.text)) == 2
    only_password = await portal.log_in("SamPark", "")
    assert error_messages(only_password.text) == ["Enter your password"]


async def test_the_login_page_says_an_email_works_too(portal, district):
    page = await portal.get("/")
    assert "You can also type the email address the school has on file for you" in page.text


@pytest.mark.parametrize("path, location", [("/login", "/"), ("/login?next=/household", "/?next=/household")])
async def test_login_leads_to_the_login_page(portal, district, path, location):
    response = await portal.get(path)
    assert response.status_code == 303 and response.headers["location"] == location


@pytest.mark.parametrize("address", ["sam.park@example.org", "nobody@example.org"])
async def test_spellings_of_an_address_share_one_count_whether_or_not_it_is_on_file(portal, sam, address):
    """An attacker's find: the count was the account's for an address on file and the typed text's otherwise, so
    after ten failures another spelling of the address (a full-width letter in the domain) was refused only when
    the address was on file. Now every spelling of any address shares one count: the same reply either way."""
    from app.services.sign_in import FAILURES_ALLOWED

    for _ in range(FAILURES_ALLOWED):
        assert (await portal.log_in(address, "Not the password 1")).status_code == 422
    other_spelling = address.replace("@example", "@\uff45xample").upper()
    refused = await portal.log_in(other_spelling, "Not the password 1")
    assert refused.status_code == 422 and "Too many failed attempts" in error_messages(refused.text)[0]


async def test_an_unlock_clears_the_username_and_the_email_counts(portal, sam):
    from app.services.sign_in import FAILURES_ALLOWED, clear_sign_in_failures

    for typed in ("sam.park@example.org", "SamPark"):
        for _ in range(FAILURES_ALLOWED):
            assert (await portal.log_in(typed, "Not the password 1")).status_code == 422
        assert "Too many failed attempts" in error_messages((await portal.log_in(typed, PASSWORD)).text)[0]
    await clear_sign_in_failures(sam)  # what a staff unlock, a staff reset, a new password and a sign-in do
    for typed in ("sam.park@example.org", "SamPark"):
        assert (await portal.log_in(typed, PASSWORD)).status_code == 303
        await portal.log_out()


async def test_each_attempt_counts_once_whether_or_not_the_address_is_on_file(portal, sam):
    """The same work either way: a second count only for an address on file would make its attempts slower."""
    from app.tables import RateCounter

    async def name_counts() -> int:  # the per-name counts ("login:", "login-email:"), not the client's or portal's
        keys = [r["key"] for r in await RateCounter.select(RateCounter.key)]
        return sum(1 for key in keys if key.startswith(("login:", "login-email:")))

    for address in ("sam.park@example.org", "nobody@example.org"):
        before = await name_counts()
        await portal.log_in(address, "Not the password 1")
        assert await name_counts() - before == 1, address
