"""Bad input of any shape never gets a 500 (docs/quality.md §5): hypothesis posts arbitrary text, huge strings,
control characters, repeated and unknown fields to every form of the account lifecycle."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.district import PASSWORD, issue_key, make_account

FORMS = {
    "/": ("username", "password"),
    "/activate": ("activation_key",),
    "/activate/account": ("username", "password", "verify_password"),
    "/forgot-password": ("identifier",),
    "/reset": ("password", "verify_password"),
    "/forgot-username": ("email",),
    "/logout": (),
}

any_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=40),  # control characters
    st.sampled_from(["", " ", "\x00", "@", "a@b", "sampark", PASSWORD, "%00", "\r\nBcc: x@evil.example",
                     "'; DROP TABLE user_account; --", "<script>alert(1)</script>", "{{ 7*7 }}"]),
    st.integers(min_value=900, max_value=70_000).map(lambda n: "x" * n),  # around every length limit
)


def form_fields(names: tuple[str, ...]):
    known = st.lists(st.tuples(st.sampled_from(names), any_text), max_size=6) if names else st.just([])
    unknown = st.lists(st.tuples(st.sampled_from(["role", "identifier[]", "_csrf_token2", "x" * 50]), any_text),
                       max_size=2)
    return st.tuples(known, unknown).map(lambda pair: pair[0] + pair[1])


@pytest.fixture
async def wizard_and_reset_in_progress(portal, district, deliver):
    """A browser in the middle of both wizards, so /activate/account and /reset reach their services."""
    from tests.integration.test_forgot_password import reset_link

    await make_account(district.guardian("sam"), "SamPark")
    await portal.post("/activate", {"activation_key": await issue_key(district.guardian("rosa"))})
    await portal.post("/forgot-password", {"identifier": "SamPark"})
    [mail] = await deliver()
    await portal.get(reset_link(mail).removeprefix("http://portal.test"))
    return portal


@pytest.mark.parametrize("path", list(FORMS))
async def test_no_form_answers_bad_input_with_a_server_error(wizard_and_reset_in_progress, path):
    portal = wizard_and_reset_in_progress
    loop = asyncio.get_running_loop()

    # Hypothesis drives from a worker thread; each example's request runs on the test's event loop.
    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.large_base_example, HealthCheck.data_too_large])
    @given(fields=form_fields(FORMS[path]), htmx=st.booleans())
    def post_anything(fields, htmx):
        response = asyncio.run_coroutine_threadsafe(portal.post(path, fields, htmx=htmx), loop).result()
        assert response.status_code < 500, (path, fields, response.status_code)

    await asyncio.to_thread(post_anything)


async def test_a_body_over_the_size_limit_is_refused_cleanly(portal):
    response = await portal.post("/", {"username": "a", "password": "x" * 70_000})
    assert response.status_code in (400, 413)


async def test_a_malformed_body_or_content_type_is_refused_cleanly(portal):
    token = await portal.csrf_token()
    for content_type, body in [
        ("application/x-www-form-urlencoded", b"username=%ff%fe&password=%&_csrf_token=" + token.encode()),
        ("multipart/form-data; boundary=zzz", b"--zzz\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n"),
        ("application/json", b'{"username": ["a"], "password": {"$gt": ""}}'),
        ("text/plain", b"\x00\x01\x02"),
    ]:
        response = await portal.client.post("/", content=body, headers={"content-type": content_type})
        assert response.status_code < 500, (content_type, response.status_code)
