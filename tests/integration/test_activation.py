"""The activation wizard (docs/design.md §4.3, §4.4; docs/security.md B1-B4, C1, C3, C7): key, then username and
password, then signed in at home."""

from __future__ import annotations

import re

import pytest

from app.services.activation import KEY_PROBLEMS, KEY_TYPING_PROBLEMS
from tests.integration import leaks
from tests.integration.district import PASSWORD, issue_key, make_account
from tests.integration.portal import SESSION_COOKIE, error_messages, page_text


async def enter_key(portal, key: str, **kwargs):
    return await portal.post("/activate", {"activation_key": key}, **kwargs)


async def create_account(portal, username: str, password: str = PASSWORD, verify: str | None = None,
                         extra: list[tuple[str, str]] = ()):
    leaks.remember(password, leaks.PASSWORD)
    fields = [("username", username), ("password", password),
              ("verify_password", password if verify is None else verify), *extra]
    return await portal.post("/activate/account", fields)


@pytest.fixture
async def rosa_key(district) -> str:
    return await issue_key(district.guardian("rosa"))


async def test_a_valid_key_leads_to_the_account_step(portal, rosa_key):
    response = await enter_key(portal, rosa_key.lower().replace("-", " "))  # case and spacing do not matter
    assert response.status_code == 303
    assert response.headers["location"] == "/activate/account"
    step = await portal.get("/activate/account")
    assert step.status_code == 200
    assert "Create Account" in step.text
    assert rosa_key not in step.text  # the key is held on the server, not in the page


@pytest.mark.parametrize("case", ["format", "unknown", "used", "expired", "revoked"])
async def test_each_unusable_key_gets_its_own_message(portal, district, clock, case):
    key = {
        "format": lambda: "1234-ABCD",
        "unknown": lambda: leaks.remember_key("2222-3333-4444-6666-7777-9999-CCCC-DDDD"),
    }.get(case, lambda: None)()
    if case == "used":
        key = await issue_key(district.guardian("rosa"))
        await enter_key(portal, key)
        assert (await create_account(portal, "RosaR")).status_code == 303
        await portal.log_out()
    elif case == "expired":
        key = await issue_key(district.guardian("rosa"))
        clock.advance(days=30, seconds=1)
    elif case == "revoked":
        key = await issue_key(district.guardian("rosa"))
        await issue_key(district.guardian("rosa"))  # a newer key replaces it
    response = await enter_key(portal, key)
    assert response.status_code == 422
    expected = KEY_TYPING_PROBLEMS["number"] % {"character": "1"} if case == "format" else KEY_PROBLEMS[case]
    assert error_messages(response.text) == [expected]
    assert not portal.session_cookie  # nothing was remembered


async def test_the_key_messages_are_all_different():
    wanted = ["format", "unknown", "used", "expired", "revoked"]
    assert len({KEY_PROBLEMS[case] for case in wanted}) == len(wanted)


async def test_wrong_keys_are_throttled_per_client(portal, district, clock):
    from app.services.activation import WRONG_KEYS_ALLOWED

    good = await issue_key(district.guardian("rosa"))
    for number in range(WRONG_KEYS_ALLOWED):
        await enter_key(portal, f"2222-3333-4444-6666-7777-9999-CCCC-{number:04d}".replace("0", "D"))
    refused = await enter_key(portal, "2222-3333-4444-6666-7777-9999-CCCC-DDDF")
    assert error_messages(refused.text) == [KEY_PROBLEMS["throttled"]]
    # A family behind the same address with the right key is not punished (issue 9): keys cannot be guessed.
    assert (await enter_key(portal, good)).status_code == 303
    clock.advance(hours=1, seconds=1)
    wrong = await enter_key(portal, "2222-3333-4444-6666-7777-9999-CCCC-DDDF")
    assert error_messages(wrong.text) == [KEY_PROBLEMS["unknown"]]


async def test_the_account_step_cannot_be_reached_without_a_key(portal, district):
    from app.tables import UserAccount

    page = await portal.get("/activate/account")
    assert page.status_code == 303
    assert page.headers["location"] == "/activate?notice=step-expired"
    response = await create_account(portal, "Sneaky")
    assert response.status_code == 303
    assert response.headers["location"] == "/activate?notice=step-expired"
    assert await UserAccount.count() == 0


async def test_a_taken_username_is_refused_without_regard_to_case(portal, district, rosa_key):
    await make_account(district.guardian("sam"), "SamPark")
    await enter_key(portal, rosa_key)
    response = await create_account(portal, "SAMPARK")
    assert error_messages(response.text) == ["That username is taken. Choose another"]
    # Said with the password's problems, not only once the password passes (a tester's find).
    both = await create_account(portal, "SAMPARK", password="short", verify="other")
    assert error_messages(both.text)[0] == "That username is taken. Choose another" and len(error_messages(both.text)) > 1


async def test_step_2_says_whose_key_it_is(portal, district, rosa_key):
    """A household with two letters could set up the wrong one (a tester's find)."""
    from tests.integration.portal import page_text

    await enter_key(portal, rosa_key)
    assert "This activation key is for Rosa Rivera." in page_text((await portal.get("/activate/account")).text)
    wrong = await create_account(portal, "ab")
    assert "This activation key is for Rosa Rivera." in page_text(wrong.text)


@pytest.mark.parametrize("username", ["gıthub", "ＡＢＣdef", "١٢٣abc", "rosa rivera", "rosa<b>", "ab", "r" * 31])
async def test_a_username_must_be_3_to_30_ascii_letters_and_digits(portal, rosa_key, username):
    from app.tables import UserAccount

    await enter_key(portal, rosa_key)
    response = await create_account(portal, username)
    assert response.status_code == 422
    assert error_messages(response.text)[0].startswith("Username must")
    assert await UserAccount.count() == 0


async def test_a_mismatched_verify_password_is_refused(portal, rosa_key):
    await enter_key(portal, rosa_key)
    response = await create_account(portal, "RosaR", PASSWORD, verify=PASSWORD + "!")
    assert error_messages(response.text) == ["The two passwords are not the same. Type the same password in both boxes"]


async def test_a_weak_password_is_refused_when_the_district_wants_strong_ones(portal, district, rosa_key):
    from app.services.preferences import set_preference

    await enter_key(portal, rosa_key)
    assert (await create_account(portal, "RosaR", "lantern harbor")).status_code == 303  # fine by default
    await portal.log_out()

    await set_preference("strong_password", "on")
    await enter_key(portal, await issue_key(district.guardian("luis")))
    step = await portal.get("/activate/account")
    assert "At least three of these four" in page_text(step.text)  # the rule is shown before any error
    response = await create_account(portal, "LuisR", "lantern harbor")
    assert error_messages(response.text) == [
        "Password must have at least three of these four: a lower-case letter, an upper-case letter, a number, "
        "a symbol"]
    assert (await create_account(portal, "LuisR", "Lantern harbor 7")).status_code == 303


@pytest.mark.parametrize("password", ["iloveyou", "password123", "Sunshine"])
async def test_a_common_password_is_refused(portal, rosa_key, password):
    await enter_key(portal, rosa_key)
    response = await create_account(portal, "RosaR", password)
    assert error_messages(response.text) == [
        "This password is too common: it is on a list of passwords that attackers try first"]


async def test_a_password_containing_the_username_is_refused(portal, rosa_key):
    await enter_key(portal, rosa_key)
    response = await create_account(portal, "RosaR", "my rosar place 12")
    assert error_messages(response.text) == ["Password must not contain your username"]


async def test_a_password_containing_the_district_name_is_refused(portal, rosa_key):
    await enter_key(portal, rosa_key)
    response = await create_account(portal, "RosaR", "Homeroom demo district 2026")
    assert error_messages(response.text) == ["Password must not contain the district's name"]


async def test_creating_the_account_signs_in_and_lands_on_home_with_the_students(portal, rosa_key):
    from app.tables import ActivationKey, AuditEvent, UserAccount

    await enter_key(portal, rosa_key)
    wizard_session = portal.session_cookie
    response = await create_account(portal, "RosaR")
    assert response.status_code == 303
    assert response.headers["location"] == "/home?notice=welcome"
    assert portal.session_cookie and portal.session_cookie != wizard_session  # a new id once signed in
    home = await portal.get(response.headers["location"])
    assert home.status_code == 200
    text = page_text(home.text)
    assert "Your account is ready. Welcome!" in text
    assert "Ana Rivera" in text and "Maple Street Elementary" in text
    assert "Benito Rivera" in text and "Oak Ridge Middle" in text
    account = await UserAccount.objects().where(UserAccount.username_key == "rosar").first()
    assert account.password_hash.startswith("$argon2id$")
    key = await ActivationKey.objects().first()
    assert key.used_at is not None and key.used_by == account.id
    assert {r["action"] for r in await AuditEvent.select(AuditEvent.action)} >= {"key.redeemed", "account.created"}
    # ...and the key cannot be used again.
    portal.forget_cookie(SESSION_COOKIE)
    again = await enter_key(portal, rosa_key)
    assert error_messages(again.text) == [KEY_PROBLEMS["used"]]


async def test_extra_fields_cannot_set_the_role_or_the_person(portal, district, rosa_key):
    from app.tables import UserAccount

    await enter_key(portal, rosa_key)
    response = await create_account(portal, "RosaR", extra=[
        ("role", "district-admin"), ("person", str(district.guardian("sam").id)), ("school", "1"),
        ("disabled", "true"), ("is_staff", "1"), ("activation_key_id", "999")])
    assert response.status_code == 303
    account = await UserAccount.objects().where(UserAccount.username_key == "rosar").first()
    assert account.role == "guardian"
    assert account.person == district.guardian("rosa").id
    assert account.school is None and account.disabled is False


async def test_a_key_used_elsewhere_between_the_steps_sends_the_parent_back_to_step_one(portal, second_portal,
                                                                                         rosa_key):
    await enter_key(portal, rosa_key)
    await enter_key(second_portal, rosa_key)
    assert (await create_account(second_portal, "RosaR")).status_code == 303
    response = await create_account(portal, "RosaRivera")
    assert response.status_code == 303
    assert response.headers["location"] == "/activate?notice=key-gone"
    page = await portal.get(response.headers["location"])
    assert "can no longer be used" in page.text
    assert (await portal.get("/activate/account")).headers["location"] == "/activate?notice=step-expired"


async def test_the_wizard_swaps_in_as_htmx_fragments_at_the_same_urls(portal, rosa_key):
    first = await portal.get("/activate", htmx=True)
    assert "<html" not in first.text and "<title>" in first.text
    error = await enter_key(portal, "nope", htmx=True)
    assert error.status_code == 422
    assert "<html" not in error.text and "<title>Error: Step 1 of 2" in error.text
    step = await enter_key(portal, rosa_key, htmx=True)
    assert step.status_code == 303 and step.headers["location"] == "/activate/account"
    second = await portal.get("/activate/account", htmx=True)
    assert "<html" not in second.text and "<title>" in second.text
    assert second.headers["hx-push-url"] == "/activate/account"
    done = await portal.post("/activate/account",
                             {"username": "RosaR", "password": PASSWORD, "verify_password": PASSWORD}, htmx=True)
    assert done.status_code == 200 and done.headers["hx-redirect"] == "/home?notice=welcome"


# Issue 13 item 9: a mistyped key is told what is wrong with it, in English and Spanish.
@pytest.mark.parametrize("typed, english, spanish", [
    ("2222-3333-4444-6666-7777-9999-CCCC-DDDO", "Activation keys never contain the letter O.",
     "Las claves de activación nunca tienen la letra O."),
    ("2222-3333-4444-6666-7777-9999-CCCC-DDI2", "Activation keys never contain the letter I.",
     "Las claves de activación nunca tienen la letra I."),
    ("2222-3333-4444-6666-7777-9999-CCCC-DD02", "Activation keys never contain the number 0.",
     "Las claves de activación nunca tienen el número 0."),
    ("2222-3333-4444-6666-7777-9999-CCCC-DDD", "You typed 31 letters and numbers. An activation key has 32",
     "Escribió 31 letras y números. Una clave de activación tiene 32"),
    ("2222-3333-4444-6666-7777-9999-CCCC-DDDD-2", "You typed 33 letters and numbers.",
     "Escribió 33 letras y números."),
    ("2222-3333-4444-6666-7777-9999-CCCC-DDD#", "Activation keys never contain “#”.",
     "Las claves de activación nunca tienen «#»."),
])
async def test_a_mistyped_key_is_told_what_is_wrong(portal, district, typed, english, spanish):
    response = await enter_key(portal, typed)
    assert response.status_code == 422
    assert english in error_messages(response.text)[0]
    assert f">{typed}</textarea>" in response.text  # the box shows what was typed, to be corrected
    in_spanish = await enter_key(portal, typed, headers={"Accept-Language": "es"})
    assert spanish in error_messages(in_spanish.text)[0]


async def test_the_key_box_wraps_on_a_phone(portal, district):
    page = await portal.get("/activate")
    box = re.search(r"<textarea id=\"activation-key\"[^>]*>", page.text).group(0)
    assert 'rows="2"' in box and 'autocapitalize="characters"' in box and 'spellcheck="false"' in box
    assert 'aria-describedby="activation-key-hint"' in box
