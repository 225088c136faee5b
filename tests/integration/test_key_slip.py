"""The in-person key slip (issue 11 item 5) and the key waiting for it (issue 9 item 4): between the POST
that issues the key and the slip that shows it once, the key is nowhere in the database in the clear — the
session holds it sealed with a key derived from HOMEROOM_SECRET_KEY (app/sealing.py)."""

from __future__ import annotations

import re

from tests.integration import leaks
from tests.integration.test_key_request import KEY_PATTERN
from tests.integration.test_staff_console import as_staff, staff_account


async def every_table_as_text() -> str:
    """Every row of every table, as text: what a copy of the database would hold."""
    from app.tables import ALL_TABLES

    rows = []
    for table in ALL_TABLES:
        rows += [repr(row) for row in await table.select()]
    return "\n".join(rows)


def key_forms(key: str) -> list[str]:
    compact = key.replace("-", "")
    return [key, compact, compact.lower(), key.lower()]


async def test_no_raw_key_is_at_rest_while_it_waits_for_its_slip(portal, district):
    import pytest

    from app.sealing import Unsealable, seal, unseal
    from app.settings import get_settings

    sam = district.guardian("sam")
    await staff_account("MapleOffice", "school-staff", "sch-maple")
    await as_staff(portal, "MapleOffice")
    issued = await portal.post(f"/staff/guardians/{sam.public_id}/key",
                               {"photo_id_type": "passport", "id_checked": "yes"})
    assert issued.status_code == 303
    waiting = await every_table_as_text()
    slip = await portal.get(issued.headers["location"])
    key = leaks.remember_key(KEY_PATTERN.search(slip.text).group(0))
    for form in key_forms(key):
        assert form not in waiting, "the raw key sat in the database while it waited for its slip"
    after = await every_table_as_text()
    assert not any(form in after for form in key_forms(key))
    # The sealed value opens only for its purpose, and not once altered.
    secret = get_settings().secret_key
    sealed = seal(key, secret_key=secret, purpose="session:key_slip")
    assert unseal(sealed, secret_key=secret, purpose="session:key_slip") == key
    altered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    for value, purpose in ((sealed, "session:recovery_codes"), (altered, "session:key_slip"),
                           ("not a token", "session:key_slip")):
        with pytest.raises(Unsealable):
            unseal(value, secret_key=secret, purpose=purpose)


async def test_a_slip_whose_sealed_key_was_tampered_with_is_gone(portal, district):
    from app.tables import WebSession

    sam = district.guardian("sam")
    await staff_account("MapleOffice", "school-staff", "sch-maple")
    await as_staff(portal, "MapleOffice")
    issued = await portal.post(f"/staff/guardians/{sam.public_id}/key",
                               {"photo_id_type": "passport", "id_checked": "yes"})
    rows = await WebSession.select(WebSession.id, WebSession.data).where(WebSession.data.like('%key_slip%'))
    assert len(rows) == 1
    await WebSession.update({WebSession.data: re.sub(r'"key_slip": "[^"]*"', '"key_slip": "forged"', rows[0]["data"])}).where(
        WebSession.id == rows[0]["id"])
    gone = await portal.get(issued.headers["location"])
    assert gone.status_code == 410 and not KEY_PATTERN.search(gone.text)
