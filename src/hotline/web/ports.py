"""What the web shell needs from storage, as small Protocols (SQL adapters in ``bootstrap``,
in-memory fakes in ``web.memory`` for tests)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from hotline.banking.receipts import Receipt

ROLES = ("agent", "supervisor", "analyst", "admin")


@dataclass(frozen=True, kw_only=True)
class User:
    id: int
    username: str
    display_name: str
    role: str
    agent_id: str | None
    password_hash: str
    disabled: bool = False


@dataclass(frozen=True, kw_only=True)
class Session:
    user: User
    kind: str  # "session" (browser cookie, needs CSRF) or "api" (bearer token)
    csrf: str | None


class Accounts(Protocol):
    def user_by_name(self, username: str) -> User | None: ...

    def add_user(self, *, username: str, display_name: str, role: str, agent_id: str | None,
                 password_hash: str) -> User: ...

    def list_users(self) -> list[User]: ...

    def update_user(self, user: User) -> User:
        """Store ``user``'s display name, role, agent and disabled flag (by its id)."""
        ...

    def set_password(self, user_id: int, password_hash: str) -> None: ...

    def revoke_sessions(self, user_id: int) -> int:
        """End every session and token of the user at once; how many there were."""
        ...

    def store_token(self, *, token_hash: str, user_id: int, kind: str, csrf: str | None,
                    expires_at: float) -> None: ...

    def session(self, token_hash: str, now: float) -> Session | None: ...

    def revoke_token(self, token_hash: str) -> None: ...

    def record_login(self, username: str, at: float, ok: bool) -> None: ...

    def failures_since(self, username: str, since: float) -> int: ...


class AuditLog(Protocol):
    def record(self, *, at: float, actor: str, role: str, action: str, target: str,
               details: dict[str, Any]) -> None: ...

    def recent(self, limit: int = 100) -> list[dict[str, Any]]: ...


class ContactHistory(Protocol):
    def record(self, entry: dict[str, Any]) -> None: ...

    def recent_for_customer(self, customer_id: str, limit: int = 10) -> list[dict[str, Any]]: ...


@dataclass(frozen=True, kw_only=True, slots=True)
class KeyedOutcome:
    """The first outcome of a banking change made under an idempotency key: its receipt, or
    the approval request it opened (exactly one). ``fingerprint`` hashes who asked what on
    which contact, so a payee's account number is never kept in clear."""

    key: str
    fingerprint: str
    contact_id: str
    at: float
    receipt: Receipt | None = None
    request_id: str | None = None


class IdempotencyKeys(Protocol):
    """The banking routes' idempotency keys. Kept in the database, a retry after a restart
    gets the first outcome back and moves nothing again."""

    def get(self, key: str) -> KeyedOutcome | None: ...

    def put(self, outcome: KeyedOutcome) -> None:
        """Keep the first outcome under its key; a key held already is refused (409)."""
        ...

    def step(self) -> AbstractContextManager[None]:
        """Around one desk operation and the ``put`` of its outcome: written together."""
        ...


class VerificationAttempts(Protocol):
    """The desk's refused verification attempts per contact (the agent's questions to a caller
    the IVR did not verify). Kept in the database, a restart gives the caller no fresh tries."""

    def refused(self, contact_id: str) -> int: ...

    def refuse(self, *, contact_id: str, customer_id: str, at: float) -> int:
        """Note one refused attempt; returns the refusals on the contact, this one included."""
        ...

    def refused_customer(self, customer_id: str, since: float) -> int:
        """Refused attempts for the customer on any contact since ``since`` (a caller who hangs
        up and rings again must not get fresh tries without end)."""
        ...
