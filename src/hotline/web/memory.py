"""In-memory fakes of the web ports, shared by unit tests and quick demos."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from typing import Any

from hotline.web.errors import Conflict
from hotline.web.ports import KeyedOutcome, Session, User


class MemoryAccounts:
    def __init__(self) -> None:
        self._users: dict[str, User] = {}
        self._tokens: dict[str, tuple[int, str, str | None, float]] = {}
        self._logins: list[tuple[str, float, bool]] = []

    def user_by_name(self, username: str) -> User | None:
        return self._users.get(username)

    def add_user(self, *, username: str, display_name: str, role: str, agent_id: str | None,
                 password_hash: str) -> User:
        user = User(id=len(self._users) + 1, username=username, display_name=display_name,
                    role=role, agent_id=agent_id, password_hash=password_hash)
        self._users[username] = user
        return user

    def list_users(self) -> list[User]:
        return sorted(self._users.values(), key=lambda u: u.id)

    def disable(self, username: str) -> None:
        self._users[username] = replace(self._users[username], disabled=True)

    def update_user(self, user: User) -> User:
        old = next(u for u in self._users.values() if u.id == user.id)
        new = replace(old, display_name=user.display_name, role=user.role,
                      agent_id=user.agent_id, disabled=user.disabled)
        self._users[new.username] = new
        return new

    def set_password(self, user_id: int, password_hash: str) -> None:
        old = next(u for u in self._users.values() if u.id == user_id)
        self._users[old.username] = replace(old, password_hash=password_hash)

    def revoke_sessions(self, user_id: int) -> int:
        mine = [h for h, row in self._tokens.items() if row[0] == user_id]
        for h in mine:
            del self._tokens[h]
        return len(mine)

    def store_token(self, *, token_hash: str, user_id: int, kind: str, csrf: str | None,
                    expires_at: float) -> None:
        self._tokens[token_hash] = (user_id, kind, csrf, expires_at)

    def session(self, token_hash: str, now: float) -> Session | None:
        row = self._tokens.get(token_hash)
        if row is None or row[3] <= now:
            return None
        user = next((u for u in self._users.values() if u.id == row[0]), None)
        if user is None or user.disabled:
            return None
        return Session(user=user, kind=row[1], csrf=row[2])

    def revoke_token(self, token_hash: str) -> None:
        self._tokens.pop(token_hash, None)

    def record_login(self, username: str, at: float, ok: bool) -> None:
        self._logins.append((username, at, ok))

    def failures_since(self, username: str, since: float) -> int:
        count = 0
        for name, at, ok in reversed(self._logins):
            if name != username or at < since:
                continue
            if ok:
                break  # a success clears the failures before it
            count += 1
        return count


class MemoryAudit:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def record(self, *, at: float, actor: str, role: str, action: str, target: str,
               details: dict[str, Any]) -> None:
        self.entries.append({"id": len(self.entries) + 1, "at": at, "actor": actor,
                             "role": role, "action": action, "target": target,
                             "details": details})

    def recent(self, limit: int = 100) -> list[dict[str, Any]]:
        return list(reversed(self.entries[-limit:]))


class MemoryHistory:
    def __init__(self) -> None:
        self.entries: dict[str, dict[str, Any]] = {}

    def record(self, entry: dict[str, Any]) -> None:
        self.entries.setdefault(entry["contact_id"], {}).update(entry)

    def recent_for_customer(self, customer_id: str, limit: int = 10) -> list[dict[str, Any]]:
        rows = [e for e in self.entries.values() if e.get("customer_id") == customer_id]
        rows.sort(key=lambda e: e.get("offered_at", 0.0), reverse=True)
        return rows[:limit]


class MemoryIdempotencyKeys:
    def __init__(self) -> None:
        self.outcomes: dict[str, KeyedOutcome] = {}

    def get(self, key: str) -> KeyedOutcome | None:
        return self.outcomes.get(key)

    def put(self, outcome: KeyedOutcome) -> None:
        if outcome.key in self.outcomes:
            raise key_held(outcome.key)
        self.outcomes[outcome.key] = outcome

    def step(self) -> AbstractContextManager[None]:
        return nullcontext()


class MemoryVerificationAttempts:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.refusals: list[tuple[str, float]] = []  # (customer, at)

    def refused_customer(self, customer_id: str, since: float) -> int:
        return sum(1 for who, at in self.refusals if who == customer_id and at >= since)

    def refused(self, contact_id: str) -> int:
        return self.counts.get(contact_id, 0)

    def refuse(self, *, contact_id: str, customer_id: str, at: float) -> int:
        self.counts[contact_id] = self.counts.get(contact_id, 0) + 1
        self.refusals.append((customer_id, at))
        return self.counts[contact_id]


def key_held(key: str) -> Conflict:
    return Conflict(f"idempotency_key: {key} holds an outcome already",
                    {"field": "idempotency_key"})
