"""Issue 9, item 9: a password is the same password however the keyboard composed it (NIST SP 800-63B:
NFKC before hashing, everywhere one is set or checked); hashes made before that keep working and are
replaced by the normalised one at the next sign-in."""

from __future__ import annotations

import unicodedata

from tests.integration import leaks
from tests.integration.district import make_account

NFC = unicodedata.normalize("NFC", "Mañana-río 2026")
NFD = unicodedata.normalize("NFD", NFC)
FULL_WIDTH = "Ｍañana-río ２０２６"  # what an East Asian input method may produce; NFKC folds it to NFC


async def sign_in(username, password):
    from app.services.sign_in import sign_in as sign_in_service

    result = await sign_in_service(username, password, ip="127.0.0.1", user_agent="", previous_session=None)
    if result.session_token:
        leaks.remember(result.session_token, leaks.SESSION)
    return result


def test_the_forms_differ():
    assert NFC != NFD and len(NFD) > len(NFC)
    assert unicodedata.normalize("NFKC", FULL_WIDTH) == NFC


async def test_a_password_set_in_one_form_signs_in_in_every_other(database, district):
    for password in (NFC, NFD, FULL_WIDTH):
        leaks.remember(password, leaks.PASSWORD)
    await make_account(district.guardian("sam"), "SamPark", password=NFD)
    for typed in (NFD, NFC, FULL_WIDTH):
        assert (await sign_in("SamPark", typed)).session_token, ascii(typed)
    assert (await sign_in("SamPark", "Manana-rio 2026")).problem == "wrong"  # accents still count


async def test_a_hash_made_before_normalising_still_works_and_is_upgraded_at_sign_in(database, district):
    from app.services.password_hashing import hashing
    from app.tables import UserAccount

    for password in (NFC, NFD):
        leaks.remember(password, leaks.PASSWORD)
    account = await make_account(district.guardian("sam"), "SamPark", password=NFC)
    old_hash = hashing().hasher.hash(NFD)  # as the portal stored what an NFD keyboard typed, before
    await UserAccount.update({UserAccount.password_hash: old_hash}).where(UserAccount.id == account)
    assert (await sign_in("SamPark", NFC)).problem == "wrong"  # the old hash knows only the typed form
    assert (await sign_in("SamPark", NFD)).session_token  # ...which still works
    row = await UserAccount.select(UserAccount.password_hash).where(UserAccount.id == account).first()
    assert row["password_hash"] != old_hash  # rehashed in NFKC
    assert (await sign_in("SamPark", NFC)).session_token  # so now every form works
    assert (await sign_in("SamPark", NFD)).session_token


async def test_the_current_password_and_the_policy_count_the_normalised_form(database, district):
    from app.rules.passwords import PasswordPolicy, password_errors
    from app.services.credentials import check_current_password

    leaks.remember(NFD, leaks.PASSWORD)
    account = await make_account(district.guardian("sam"), "SamPark", password=NFD)
    assert await check_current_password(account, NFC, ip="127.0.0.1") is None
    # Verify Password typed on another keyboard matches; length counts characters, not code points.
    assert password_errors(NFC, NFD, username="SamPark", policy=PasswordPolicy()) == []
    assert password_errors(unicodedata.normalize("NFD", "ñññññ"), "", username="x",
                           policy=PasswordPolicy(minimum_length=6))[0].message.startswith("Password must be at least")
