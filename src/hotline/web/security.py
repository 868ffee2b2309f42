"""Passwords (argon2), tokens (random, stored only as SHA-256) and login throttling.

>>> hasher = PasswordHasherPort()
>>> h = hasher.hash("s3cret-pass")
>>> hasher.verify(h, "s3cret-pass"), hasher.verify(h, "wrong")
(True, False)
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

SESSION_COOKIE = "hotline_session"
CSRF_HEADER = "X-CSRF-Token"


class PasswordHasherPort:
    """argon2id; ``fast=True`` lowers the cost for tests and the demo's many agents."""

    def __init__(self, *, fast: bool = False) -> None:
        self._hasher = (PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
                        if fast else PasswordHasher())

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison (CSRF tokens)."""
    return hmac.compare_digest(a.encode(), b.encode())


@dataclass(frozen=True, kw_only=True)
class ThrottlePolicy:
    """At most ``max_failures`` failed logins per username within ``window_s``."""

    max_failures: int = 5
    window_s: float = 300.0
