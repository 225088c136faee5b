"""A guardian's alert and digest choices (issue 12 item 1), and unsubscribing from one kind by a signed
link without signing in (item 4)."""

from __future__ import annotations

from dataclasses import asdict, fields

from app import clock
from app.database import transaction
from app.rules.alerts import ALERT_KINDS, GuardianChoices, check_choices, read_unsubscribe_token
from app.rules.errors import FieldError
from app.services import audit
from app.settings import get_settings
from app.tables import AlertPreference, UserAccount

_CHOICE_FIELDS = [f.name for f in fields(GuardianChoices)]
_KIND_FIELD = {"absence-alert": "absence_alerts", "weekly-digest": "digest"}


def _choices_from(row: dict | None) -> GuardianChoices:
    return GuardianChoices(**{name: row[name] for name in _CHOICE_FIELDS}) if row else GuardianChoices()


async def choices_of(account_id: int) -> GuardianChoices:
    row = await AlertPreference.select(*[getattr(AlertPreference, n) for n in _CHOICE_FIELDS]).where(
        AlertPreference.account == account_id).first()
    return _choices_from(row)


async def choices_of_accounts(account_ids: list[int]) -> dict[int, GuardianChoices]:
    """Every account's choices (defaults for those without a row), in one query per 500 accounts."""
    found: dict[int, GuardianChoices] = {a: GuardianChoices() for a in account_ids}
    for start in range(0, len(account_ids), 500):
        part = account_ids[start:start + 500]
        for row in await AlertPreference.select(AlertPreference.account,
                                                *[getattr(AlertPreference, n) for n in _CHOICE_FIELDS]).where(
                AlertPreference.account.is_in(part)):
            found[row["account"]] = _choices_from(row)
    return found


async def _store(account_id: int, choices: GuardianChoices) -> None:
    values = {getattr(AlertPreference, k): v for k, v in asdict(choices).items()}
    values[AlertPreference.updated_at] = clock.now()
    updated = await AlertPreference.update(values).where(AlertPreference.account == account_id).returning(
        AlertPreference.id)
    if not updated:
        await AlertPreference.insert(AlertPreference(account=account_id, updated_at=clock.now(), **asdict(choices)))


async def save_choices(account_id: int, typed: dict[str, str], *, ip: str) -> list[FieldError]:
    choices, errors = check_choices(typed)
    if errors:
        return errors
    before = await choices_of(account_id)
    if choices != before:
        changed = ", ".join(f"{k}: {getattr(before, k)} -> {v}" for k, v in asdict(choices).items()
                            if getattr(before, k) != v)
        async with transaction():
            await _store(account_id, choices)
            await audit.record("alerts.preferences-changed", actor=account_id, account=account_id, ip=ip,
                               detail=changed[:255])
    return []


async def unsubscribe_target(token: str) -> tuple[int, str] | None:
    """(account id, kind) for a genuine link to a guardian account that still exists; else None."""
    read = read_unsubscribe_token(get_settings().secret_key, token)
    if read is None:
        return None
    account = await UserAccount.select(UserAccount.id).where(
        (UserAccount.id == read[0]) & (UserAccount.role == "guardian")).first()
    return read if account else None


async def unsubscribe(token: str, *, ip: str, how: str) -> str | None:
    """Turn one kind of email off for the token's account; returns the kind, or None for a bad token.
    Doing it twice is harmless."""
    target = await unsubscribe_target(token)
    if target is None:
        return None
    account_id, kind = target
    assert kind in ALERT_KINDS
    choices = await choices_of(account_id)
    field = _KIND_FIELD[kind]
    if getattr(choices, field):
        async with transaction():
            await _store(account_id, GuardianChoices(**{**asdict(choices), field: False}))
            await audit.record("alerts.unsubscribed", actor=None, account=account_id, ip=ip,
                               detail=f"{kind} ({how})")
    return kind
