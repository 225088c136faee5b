"""Accounts, and everything that proves who someone is: keys, reset tokens, sessions, rate counters."""

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.tables.people import Person, School


class UserAccount(Table, tablename="user_account"):
    username = Varchar(length=30)  # as the person typed it
    username_key = Varchar(length=30, unique=True)  # lower-cased: usernames are unique without regard to case
    password_hash = Varchar(length=255, secret=True)
    person = ForeignKey(references=Person, null=True, unique=True)  # one account per guardian
    role = Varchar(length=20, default="guardian")  # guardian | school-staff | district-admin
    school = ForeignKey(references=School, null=True)  # school staff: the school they work for
    language = Varchar(length=10, default="en")
    disabled = Boolean(default=False)
    locked_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    password_changed_at = Timestamptz(default=TimestamptzNow())


class ActivationKey(Table, tablename="activation_key"):
    key_hash = Varchar(length=64, unique=True, secret=True)  # SHA-256 of the normalised key (128 random bits)
    guardian = ForeignKey(references=Person, index=True)
    issued_how = Varchar(length=20)  # letter | email | in-person
    issued_by = ForeignKey(references=UserAccount, null=True)
    photo_id_type = Varchar(length=40, null=True, default=None)  # the kind of ID checked, never its number
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    used_by = ForeignKey(references=UserAccount, null=True)
    revoked_at = Timestamptz(null=True, default=None)


class PasswordResetToken(Table, tablename="password_reset_token"):
    token_hash = Varchar(length=64, unique=True, secret=True)
    account = ForeignKey(references=UserAccount, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    superseded_at = Timestamptz(null=True, default=None)


class WebSession(Table, tablename="web_session"):
    """A server-side session. The cookie holds a random token; only its SHA-256 is stored."""

    token_hash = Varchar(length=64, unique=True, secret=True)
    account = ForeignKey(references=UserAccount, null=True, index=True)
    data = Text(default="{}")  # JSON: wizard state between steps (never in hidden fields)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()  # the absolute limit
    ip = Varchar(length=45, default="")
    user_agent = Varchar(length=255, default="")


class RateCounter(Table, tablename="rate_counter"):
    """Counts attempts per key in a window (login per username, key guesses per client, username
    reminders per address per district day). Incremented atomically with one upsert."""

    key = Varchar(length=400, unique=True)
    count = Integer(default=0)
    window_ends_at = Timestamptz()
