"""Server-side sessions in the database (docs/design.md §8, docs/quality.md §4).

The cookie holds a random 256-bit token; the table holds only its SHA-256, the account, the wizard
state, and the times that enforce the idle and absolute limits. A new token is issued at every step that
raises what a session can do (sign-in, an activation key accepted, a reset or email-confirmation link
opened) and the old one ends: a token the client brings is never adopted (Litestar's own backend would;
docs/security.md G1), and a cookie planted on a shared computer never carries a wizard's state (issue 9).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from app import clock
from app.database import fetch, is_postgres, transaction
from app.rules.preferences import DistrictPreferences, preferences_from_rows
from app.rules.tokens import new_token, token_digest
from app.tables import WebSession

IDLE_LIMIT = timedelta(minutes=30)
ABSOLUTE_LIMIT = timedelta(hours=12)
# last_seen_at is written at most this often, so reading a page is not a write each time.
TOUCH_EVERY = timedelta(minutes=1)
# Live sessions one account may hold; the oldest end when a new one starts past it. A family signs in
# from a few phones, a tablet, a laptop and a work computer, each for at most 12 hours: 10 is well above
# that, and small enough that a login storm cannot grow the account page (issue 9 saw 1,928 sessions).
SESSIONS_PER_ACCOUNT = 10


# Every request reads its session, and every page shows the district's preferences: one round trip
# reads both (the preferences come as extra rows, told apart by `kind`). Written out rather than built
# by the query builder on every request (bench/RESULTS.md).
_LOAD = """
SELECT 'session' AS kind, s.id, s.token_hash, s.data, s.last_seen_at, s.expires_at, a.id AS account_id, a.username,
       a.role, a.person AS person_id, a.school AS school_id, a.language, a.disabled, a.locked_until,
       NULL AS name, NULL AS value
FROM web_session s LEFT JOIN user_account a ON a.id = s.account
WHERE s.token_hash = {}
UNION ALL
SELECT 'setting', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, name, value
FROM district_setting
"""


@dataclass(frozen=True)
class SignedInAccount:
    id: int
    username: str
    role: str
    person_id: int | None
    school_id: int | None
    language: str


@dataclass
class CurrentSession:
    id: int
    account: SignedInAccount | None
    data: dict[str, Any] = field(default_factory=dict)
    token_hash: str = ""  # what the CSRF token is bound to (app/web/csrf.py)


# Past the cap, the account's oldest sessions end (written out: Piccolo's delete has no LIMIT).
_CAP = """
DELETE FROM web_session WHERE account = {} AND id NOT IN (
    SELECT id FROM web_session WHERE account = {} ORDER BY id DESC LIMIT {}
)
"""


async def start_session(*, account_id: int | None, ip: str, user_agent: str, data: dict | None = None) -> str:
    """A new session; returns the token for the cookie."""
    token = new_token()
    now = clock.now()
    await WebSession.insert(
        WebSession(
            token_hash=token_digest(token),
            account=account_id,
            data=json.dumps(data or {}),
            created_at=now,
            last_seen_at=now,
            expires_at=now + ABSOLUTE_LIMIT,
            ip=ip[:45],
            user_agent=user_agent[:255],
        )
    )
    if account_id is not None:
        await fetch(_CAP, account_id, account_id, SESSIONS_PER_ACCOUNT)
    return token


async def replace_session(previous: CurrentSession | None, *, account_id: int | None, ip: str, user_agent: str,
                          data: dict | None = None) -> str:
    """End `previous` (if any) and start a new session in its place; returns the new token. Call inside
    the caller's transaction, or on its own (one transaction then)."""
    async with transaction():
        if previous is not None:
            await end_session(previous.id)
        return await start_session(account_id=account_id, ip=ip, user_agent=user_agent, data=data)


async def load_session(token: str | None) -> tuple[CurrentSession | None, DistrictPreferences | None]:
    """The live session for a cookie token, or None (unknown, idle too long, past its absolute limit,
    or its account disabled or locked); and, read in the same round trip, the district's preferences
    (None when there was no token to look up: the caller reads them when it needs them)."""
    if not token or len(token) > 100:
        return None, None
    rows = await fetch(_LOAD, token_digest(token))
    preferences = preferences_from_rows({r["name"]: r["value"] for r in rows if r["kind"] == "setting"})
    row = next((r for r in rows if r["kind"] == "session"), None)
    if row is None:
        return None, preferences
    now = clock.now()
    # A username-recovery lock (locked_until) refuses new sign-ins only: a parent signed in elsewhere stays.
    if row["expires_at"] <= now or row["last_seen_at"] + IDLE_LIMIT <= now or row["disabled"]:
        await WebSession.delete().where(WebSession.id == row["id"])
        return None, preferences
    if now - row["last_seen_at"] >= TOUCH_EVERY:
        await WebSession.update({WebSession.last_seen_at: now}).where(WebSession.id == row["id"])
    account = None
    if row["account_id"] is not None:
        account = SignedInAccount(
            id=row["account_id"],
            username=row["username"],
            role=row["role"],
            person_id=row["person_id"],
            school_id=row["school_id"],
            language=row["language"],
        )
    return CurrentSession(id=row["id"], account=account, data=json.loads(row["data"] or "{}"),
                          token_hash=row["token_hash"]), preferences


async def save_session_data(session_id: int, data: dict[str, Any]) -> None:
    await WebSession.update({WebSession.data: json.dumps(data)}).where(WebSession.id == session_id)


async def drop_session_values(session_id: int, *names: str) -> None:
    """Take values out of a session's data in the row itself (one statement), so a request running beside this
    one that changes another value is not undone by writing back data read before it. `names`: keys of letters,
    digits and underscores."""
    if not names:
        return
    if is_postgres():
        await fetch("UPDATE web_session SET data = (CAST(data AS JSONB) - CAST({} AS TEXT[]))::TEXT WHERE id = {}",
                    list(names), session_id)
    else:
        paths = ", ".join("'$.' || {}" for _ in names)
        await fetch(f"UPDATE web_session SET data = json_remove(data, {paths}) WHERE id = {{}}", *names, session_id)


async def end_session(session_id: int) -> None:
    await WebSession.delete().where(WebSession.id == session_id)


async def end_sessions_of(account_id: int, *, except_session: int | None = None) -> None:
    query = WebSession.delete().where(WebSession.account == account_id)
    if except_session is not None:
        query = WebSession.delete().where((WebSession.account == account_id) & (WebSession.id != except_session))
    await query



