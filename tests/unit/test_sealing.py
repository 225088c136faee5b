"""app/sealing.py: what waits (outbox payloads, an in-person key) is encrypted, bound to its purpose and key."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal
from uuid import UUID

import pytest

from app.sealing import Unsealable, seal, unseal

KEY = "a-secret-key-of-at-least-thirty-two-characters"


def test_a_context_comes_back_as_it_went_in_and_is_not_readable_at_rest():
    context = {"key": "CDFH-JKMN-PR23-4679-CDFH-JKMN-PR23-4679", "when": datetime(2026, 3, 10, 14, tzinfo=timezone.utc),
               "day": date(2026, 3, 10), "at": time(8, 30), "share": Decimal("0.125"),
               "id": UUID("12345678-1234-5678-1234-567812345678"), "names": ["Ana", "Luis"], "n": 3, "x": None,
               "nested": {"ñ": "río"}}
    sealed = seal(context, secret_key=KEY, purpose="activation-key")
    assert "CDFH" not in sealed and "Ana" not in sealed and "río" not in sealed
    assert unseal(sealed, secret_key=KEY, purpose="activation-key") == context
    assert seal(context, secret_key=KEY, purpose="activation-key") != sealed  # a fresh nonce each time


@pytest.mark.parametrize("secret_key, purpose", [("another-secret-key-of-thirty-two-characters!", "activation-key"),
                                                 (KEY, "password-reset")])
def test_another_key_or_purpose_cannot_open_it(secret_key, purpose):
    sealed = seal({"a": 1}, secret_key=KEY, purpose="activation-key")
    with pytest.raises(Unsealable):
        unseal(sealed, secret_key=secret_key, purpose=purpose)


def test_an_altered_or_foreign_payload_is_refused():
    sealed = seal({"a": 1}, secret_key=KEY, purpose="k")
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    for text in (tampered, "plain text", "v1.not-base64!!", ""):
        with pytest.raises(Unsealable):
            unseal(text, secret_key=KEY, purpose="k")


def test_values_json_cannot_hold_are_refused_when_sealed():
    with pytest.raises(TypeError):
        seal({"a": object()}, secret_key=KEY, purpose="k")


@pytest.mark.parametrize("tagged", [{"$decimal": "x"}, {"$date": "2026-13-40"}, {"$time": "noon"}, {"$uuid": "u"}])
def test_a_tagged_value_that_does_not_read_back_is_unsealable_not_an_error(tagged):
    """A dict of the caller's whose one key looks like a tag (a form field named "$decimal") raised
    decimal.InvalidOperation out of unseal (an attacker's find: every page of a session was a 500)."""
    text = seal({"fields": tagged}, secret_key=KEY, purpose="p")
    with pytest.raises(Unsealable):
        unseal(text, secret_key=KEY, purpose="p")
