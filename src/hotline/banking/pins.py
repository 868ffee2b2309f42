"""Telephone PINs: argon2id hashes, constant-time verification, lockout after 3 failures.

The PIN itself is never stored, logged or echoed; only its argon2id hash is kept.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from argon2 import low_level
from argon2.exceptions import VerificationError, VerifyMismatchError

from hotline.banking.errors import InvalidInput

PIN_LENGTH = 6
MAX_FAILURES = 3


@dataclass(frozen=True, kw_only=True, slots=True)
class Argon2Params:
    """argon2id cost. The defaults are RFC 9106's low-memory choice (64 MiB, 3 passes)."""

    time_cost: int = 3
    memory_cost_kib: int = 65_536
    parallelism: int = 4
    hash_len: int = 32
    salt_len: int = 16


#: Cheap parameters for tests, the twin and the demo data set (thousands of customers). Never
#: for real customers: they make offline guessing of a 6-digit PIN cheap.
SANDBOX_PARAMS = Argon2Params(time_cost=1, memory_cost_kib=64, parallelism=1)


def require_pin(pin: str) -> str:
    """Return `pin` if it is exactly 6 ASCII digits; the error never repeats the PIN."""
    if not (isinstance(pin, str) and len(pin) == PIN_LENGTH and pin.isascii() and pin.isdigit()):
        raise InvalidInput("pin", f"must be exactly {PIN_LENGTH} digits")
    return pin


@dataclass(frozen=True, kw_only=True, slots=True)
class PinHasher:
    """Hash and verify PINs with argon2id. `salt` is injectable so a seeded demo is repeatable."""

    params: Argon2Params = Argon2Params()
    salt: Callable[[int], bytes] = field(default=secrets.token_bytes, repr=False)

    def hash(self, pin: str) -> str:
        p = self.params
        encoded = low_level.hash_secret(
            require_pin(pin).encode(), self.salt(p.salt_len), time_cost=p.time_cost,
            memory_cost=p.memory_cost_kib, parallelism=p.parallelism, hash_len=p.hash_len,
            type=low_level.Type.ID,
        )
        return encoded.decode("ascii")

    def verify(self, pin_hash: str, pin: str) -> bool:
        """True if `pin` matches. argon2 recomputes the hash and compares in constant time."""
        try:
            return low_level.verify_secret(
                pin_hash.encode("ascii"), pin.encode(), low_level.Type.ID
            )
        except (VerifyMismatchError, VerificationError):
            return False


@dataclass(frozen=True, kw_only=True, slots=True)
class PinRecord:
    """A customer's telephone PIN hash and lockout state. Locked stays locked until unlocked."""

    customer_id: str
    pin_hash: str = field(repr=False)
    failures: int = 0
    locked: bool = False

    def after_failure(self) -> PinRecord:
        failures = self.failures + 1
        return replace(self, failures=failures, locked=failures >= MAX_FAILURES)

    def after_success(self) -> PinRecord:
        return replace(self, failures=0)

    def unlocked(self) -> PinRecord:
        return replace(self, failures=0, locked=False)
