"""Redeeming an activation key: the wizard of docs/design.md §4.3.

Step 1 checks the key and remembers its id in the server-side session. Step 2 creates the account and
consumes the key in one transaction, with a conditional UPDATE as the claim: twenty people racing with
one key produce exactly one account. Both steps refuse a key (but one handed over at the office) whose
guardian a guardian whose access is off could have picked it up from (app/services/key_reach.py): the parent
is sent to the school office, and not told why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from app import clock
from app.database import transaction
from app.database_errors import unique_violation
from app.rules.activation_keys import key_typing_problem, key_digest, normalise_key
from app.rules.errors import N_, FieldError
from app.rules.passwords import PasswordPolicy, password_errors
from app.rules.usernames import username_errors, username_key
from app.services import audit, rate_limits, sessions
from app.services.eligibility import is_eligible_guardian
from app.services.key_reach import key_within_reach
from app.services.password_hashing import hashing
from app.services.preferences import load_preferences
from app.tables import ActivationKey, UserAccount

WRONG_KEYS_ALLOWED = 20  # per client per hour (docs/security.md B3)
WRONG_KEY_WINDOW = timedelta(hours=1)

KEY_PROBLEMS = {
    "format": N_("Enter the activation key exactly as it was given to you: 32 letters and numbers"),
    "unknown": N_("That activation key is not right. Check it and try again"),
    "used": N_("That activation key has already been used to create an account. Log in, or use "
               "Forgot Your Username? if you do not remember it"),
    "expired": N_("That activation key has expired. Request a new one"),
    "revoked": N_("That activation key was replaced by a newer one. Use the newest key you were given"),
    "throttled": N_("Too many wrong activation keys from this device. Wait an hour and try again"),
    # Its guardian is within reach of a guardian whose access is off (app/services/key_reach.py): why is not said.
    "office": N_("This activation key cannot be used. Please contact the school office: they can give you a key "
                 "there"),
}
# What is wrong with a key's shape, said plainly (issue 13 item 9).
KEY_TYPING_PROBLEMS = {
    "letter": N_("Activation keys never contain the letter %(character)s. Keys use only the letters "
                 "C D F H J K M N P R and the numbers 2 3 4 6 7 9: check that character against your letter or email"),
    "number": N_("Activation keys never contain the number %(character)s. Keys use only the letters "
                 "C D F H J K M N P R and the numbers 2 3 4 6 7 9: check that character against your letter or email"),
    "character": N_("Activation keys never contain “%(character)s”. Keys use only letters and numbers"),
    "length": N_("You typed %(count)d letters and numbers. An activation key has 32: check for one left out "
                 "or typed twice"),
}


def key_format_error(typed: str) -> FieldError:
    problem = key_typing_problem(typed)
    if problem is None:  # cannot happen for a key that failed normalising; the general message then
        return FieldError("activation_key", KEY_PROBLEMS["format"])
    kind, value = problem
    params = {"count": value} if kind == "length" else {"character": value}
    return FieldError("activation_key", KEY_TYPING_PROBLEMS[kind], params)


@dataclass(frozen=True)
class KeyCheck:
    key_id: int | None = None
    errors: list[FieldError] = field(default_factory=list)


async def check_activation_key(typed: str, *, ip: str) -> KeyCheck:
    """Step 1. The throttle counts wrong keys per client, reserved before the lookup (issue 9), and it
    never stands between a parent and a RIGHT key: families behind one address (a school's sign-up night
    on one Wi-Fi, a carrier's NAT) still redeem theirs after others typed wrong ones. That gives nothing
    away: a key is 128 random bits and cannot be guessed; what the throttle holds back is the answer to
    a wrong key (which says why it is wrong) and the work of recording it."""
    if not typed.strip():
        return KeyCheck(errors=[FieldError("activation_key", N_("Enter your activation key"))])
    throttle_key = f"activation-key:{rate_limits.client_of(ip)}"
    tally = await rate_limits.hit(throttle_key, clock.now() + WRONG_KEY_WINDOW)
    normalised = normalise_key(typed)
    row = None
    if normalised:
        row = await ActivationKey.select(
            ActivationKey.id, ActivationKey.used_at, ActivationKey.revoked_at, ActivationKey.expires_at,
            ActivationKey.guardian, ActivationKey.issued_how,
        ).where(ActivationKey.key_hash == key_digest(normalised)).first()
    problem = None
    if normalised is None:
        problem = "format"
    elif row is None:
        problem = "unknown"
    elif row["used_at"] is not None:
        problem = "used"
    elif await key_within_reach(row["guardian"], row["issued_how"]):
        problem = "office"  # before "revoked": a key revoked for this reason is not "replaced by a newer one"
    elif row["revoked_at"] is not None or not await is_eligible_guardian(row["guardian"]):
        problem = "revoked"
    elif row["expires_at"] <= clock.now():
        problem = "expired"
    if problem is None or problem not in ("format", "unknown"):
        await rate_limits.release(throttle_key)  # a real key, usable or not, is not a guess
    elif tally.count > WRONG_KEYS_ALLOWED:
        return KeyCheck(errors=[FieldError("activation_key", KEY_PROBLEMS["throttled"])])
    if problem:
        await audit.record("key.redeem-failed", person=row["guardian"] if row else None, ip=ip, detail=problem)
        if problem == "format":
            return KeyCheck(errors=[key_format_error(typed)])
        return KeyCheck(errors=[FieldError("activation_key", KEY_PROBLEMS[problem])])
    return KeyCheck(key_id=row["id"])


@dataclass(frozen=True)
class AccountCreation:
    session_token: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    key_gone: bool = False  # the key was used, revoked or expired since step 1: start again
    key_refused: bool = False  # its guardian came within reach since step 1 (KEY_PROBLEMS["office"])


async def key_holder(key_id: int) -> str:
    """The name of the guardian a key was issued to ("Deepa Thomas"), for step 2 to say whose key it is: a household
    that received two letters could set up the wrong one (a tester's find). "" when the key is gone."""
    row = await ActivationKey.select(ActivationKey.guardian.given_name.as_alias("given_name"),
                                     ActivationKey.guardian.family_name.as_alias("family_name")).where(
        ActivationKey.id == key_id).first()
    return f"{row['given_name']} {row['family_name']}" if row else ""


async def password_policy() -> PasswordPolicy:
    prefs = await load_preferences()
    return PasswordPolicy(prefs.password_min_length, prefs.strong_password, prefs.district_name)


async def create_account_with_key(key_id: int, username: str, password: str, verify: str, *, ip: str,
                                  user_agent: str, previous_session: int | None,
                                  language: str = "en") -> AccountCreation:
    """`language` is the one the parent used to create the account: the portal and its email stay in it."""
    username = username.strip()
    errors = username_errors(username)
    # A username someone has is said with the password's problems, not only once the password passes (a tester's
    # find: a parent fixed the password and was then told the username was taken).
    if not errors and await UserAccount.exists().where(UserAccount.username_key == username_key(username)):
        errors = [_username_taken()]
    errors += password_errors(password, verify, username=username, policy=await password_policy())
    if errors:
        return AccountCreation(errors=errors)
    password_hash = await hashing().hash(password)
    try:
        token = await _create_account(key_id, username, password_hash, ip=ip, user_agent=user_agent,
                                      previous_session=previous_session, language=language)
    except _KeyGone:
        return AccountCreation(key_gone=True)
    except _KeyRefused as refused:
        await audit.record("key.redeem-failed", person=refused.guardian_id, ip=ip, detail="office")
        return AccountCreation(key_refused=True)
    except _Rollback as rollback:
        return AccountCreation(errors=[rollback.error])
    except Exception as error:  # a unique index caught a race: which one decides the answer (issue 9)
        constraint = unique_violation(error)
        if constraint is None:
            raise
        if "username_key" in constraint:
            return AccountCreation(errors=[_username_taken()])
        if "person" in constraint:  # the guardian got an account in the meantime: the key is spent
            return AccountCreation(key_gone=True)
        raise
    return AccountCreation(session_token=token)


async def _create_account(key_id: int, username: str, password_hash: str, *, ip: str, user_agent: str,
                          previous_session: int | None, language: str) -> str:
    now = clock.now()
    async with transaction():
        claimed = await ActivationKey.update({ActivationKey.used_at: now}).where(
            (ActivationKey.id == key_id)
            & ActivationKey.used_at.is_null()
            & ActivationKey.revoked_at.is_null()
            & (ActivationKey.expires_at > now)
        ).returning(ActivationKey.guardian, ActivationKey.issued_how)
        if not claimed:
            raise _KeyGone()
        guardian_id = claimed[0]["guardian"]
        # Checked again as the key is spent, however access came to be off since step 1 (the claim rolls back).
        if await key_within_reach(guardian_id, claimed[0]["issued_how"]):
            raise _KeyRefused(guardian_id)
        # Checked again inside the transaction: the unique index is the last word, this gives the message.
        if await UserAccount.exists().where(UserAccount.person == guardian_id):
            raise _KeyGone()  # the guardian has an account already (keys are refused then; belt and braces)
        if await UserAccount.exists().where(UserAccount.username_key == username_key(username)):
            raise _Rollback(_username_taken())
        account = UserAccount(
            username=username,
            username_key=username_key(username),
            password_hash=password_hash,
            person=guardian_id,
            role="guardian",
            language=language,
            created_at=now,
            password_changed_at=now,
        )
        await account.save()
        await ActivationKey.update({ActivationKey.used_by: account.id}).where(ActivationKey.id == key_id)
        if previous_session is not None:
            await sessions.end_session(previous_session)
        token = await sessions.start_session(account_id=account.id, ip=ip, user_agent=user_agent)
        await audit.record("key.redeemed", actor=account.id, account=account.id, person=guardian_id, ip=ip)
        await audit.record("account.created", actor=account.id, account=account.id, person=guardian_id, ip=ip)
    return token


def _username_taken() -> FieldError:
    return FieldError("username", N_("That username is taken. Choose another"))


class _Rollback(Exception):
    def __init__(self, error: FieldError) -> None:
        self.error = error


class _KeyGone(Exception):
    pass


class _KeyRefused(Exception):
    def __init__(self, guardian_id: int) -> None:
        self.guardian_id = guardian_id

