"""A second factor for signing in (issue 14): TOTP, recovery codes, browsers trusted for 30 days, passkeys."""

from piccolo.columns import BigInt, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.tables.accounts import UserAccount


class TotpFactor(Table, tablename="totp_factor"):
    """An authenticator app's shared secret, encrypted with a key derived from HOMEROOM_SECRET_KEY (a copy
    of the database alone does not give it away). Unconfirmed until the first code is typed back; then
    `last_step` is the newest 30-second step a code was accepted for, so a code is never taken twice."""

    account = ForeignKey(references=UserAccount, index=True, on_delete=OnDelete.cascade)
    secret_sealed = Text(secret=True)
    created_at = Timestamptz(default=TimestamptzNow())
    confirmed_at = Timestamptz(null=True, default=None)
    last_step = BigInt(default=0)


class RecoveryCode(Table, tablename="recovery_code"):
    """Ten single-use codes for a lost phone, kept only as keyed digests (HMAC-SHA-256)."""

    account = ForeignKey(references=UserAccount, index=True, on_delete=OnDelete.cascade)
    code_digest = Varchar(length=64, unique=True, secret=True)
    created_at = Timestamptz(default=TimestamptzNow())
    used_at = Timestamptz(null=True, default=None)


class TrustedBrowser(Table, tablename="trusted_browser"):
    """"Trusted for 30 days on this browser": the cookie holds a random token, the row its SHA-256. Deleting
    the row (factor changed or reset, "forget trusted browsers") revokes it."""

    token_hash = Varchar(length=64, unique=True, secret=True)
    account = ForeignKey(references=UserAccount, index=True, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    user_agent = Varchar(length=255, default="")


class Passkey(Table, tablename="passkey"):
    """A WebAuthn credential: its id and public key (COSE, base64url), and the signature counter."""

    account = ForeignKey(references=UserAccount, index=True, on_delete=OnDelete.cascade)
    credential_id = Varchar(length=1400, unique=True)
    public_key = Text()
    sign_count = BigInt(default=0)
    label = Varchar(length=80, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)


class StaffContact(Table, tablename="staff_contact"):
    """The address a staff account's security notices go to (a guardian's is their Person's email)."""

    account = ForeignKey(references=UserAccount, unique=True, on_delete=OnDelete.cascade)
    email = Varchar(length=320)
