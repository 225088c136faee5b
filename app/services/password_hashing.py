"""argon2id, off the event loop, in a bounded pool (docs/quality.md §5): at most WORKERS hashes run at once and
at most MAX_WAITING wait, so a storm of logins cannot exhaust memory or stall other pages."""

from __future__ import annotations

import asyncio
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.observability import HASH_QUEUE

# ASVS 5.0 Appendix C / OWASP: m=19 MiB, t=2, p=1 (about 25 ms on one core here); ~80 logins/s on 2 cores.
PRODUCTION_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16)
WORKERS = 2
MAX_WAITING = 64


def normalise_password(password: str) -> str:
    """NFKC (NIST SP 800-63B §5.1.1.2): the same password typed on keyboards that compose accents
    differently (NFC 'ñ' or NFD 'n' + combining tilde) or as full-width letters is the same password."""
    return unicodedata.normalize("NFKC", password)


@dataclass(frozen=True)
class Checked:
    ok: bool
    rehash: bool = False  # the stored hash should be replaced (old parameters, or made before NFKC)


class HashingBusy(RuntimeError):
    """More hashes are waiting than the pool allows: the caller answers 503 and the client retries."""


class PasswordHashing:
    def __init__(self, hasher: PasswordHasher) -> None:
        self.hasher = hasher
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="argon2")
        self._slots = asyncio.Semaphore(WORKERS + MAX_WAITING)
        # A hash to verify against when the username is unknown, so every login does the same work.
        self._dummy_hash = hasher.hash("not a real password; compared against so unknown users cost the same")

    async def _run(self, fn, *args):
        if self._slots.locked():
            raise HashingBusy()
        HASH_QUEUE.inc()
        try:
            async with self._slots:
                return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
        finally:
            HASH_QUEUE.dec()

    async def hash(self, password: str) -> str:
        """The hash of the NFKC form: every password set from now on is stored normalised."""
        return await self._run(self.hasher.hash, normalise_password(password))

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        """True when the password matches. With no stored hash it verifies against a dummy (same cost)."""
        return (await self.check(stored_hash, password)).ok

    async def check(self, stored_hash: str | None, password: str) -> Checked:
        """Whether the password matches, and whether the stored hash should be replaced at this sign-in.
        Hashes made before passwords were normalised hold the password as it was typed then: the typed
        form is tried first, then (only when it differs, so one verification for nearly everyone) the
        NFKC form; a match on the typed form alone asks for a rehash, so the next sign-in takes any form."""
        return await self._run(self._check_sync, stored_hash, password)

    def _check_sync(self, stored_hash: str | None, password: str) -> Checked:
        normalised = normalise_password(password)
        if self._matches(stored_hash, password):
            return Checked(ok=True, rehash=normalised != password or self.needs_rehash(stored_hash))
        if normalised != password and self._matches(stored_hash, normalised):
            return Checked(ok=True, rehash=self.needs_rehash(stored_hash))
        return Checked(ok=False)

    def _matches(self, stored_hash: str | None, password: str) -> bool:
        try:
            return self.hasher.verify(stored_hash or self._dummy_hash, password) and stored_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self.hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True


_hashing: PasswordHashing | None = None


def hashing() -> PasswordHashing:
    """The process's pool; the test environment uses argon2-cffi's cheapest profile ("Only for testing!")."""
    global _hashing
    if _hashing is None:
        from app.settings import get_settings

        if get_settings().env == "test":
            _hashing = PasswordHashing(PasswordHasher.from_parameters(profiles.CHEAPEST))
        else:
            _hashing = PasswordHashing(PRODUCTION_HASHER)
    return _hashing
