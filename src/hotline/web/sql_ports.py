"""The web ports over the SQL store (``hotline.store.sql``): float epoch seconds at the port,
aware UTC datetimes in the database."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from hotline.store.sql.accounts import Accounts, UserRecord
from hotline.store.sql.audit import AuditLog
from hotline.store.sql.errors import Duplicate
from hotline.store.sql.history import ContactHistory, ContactRecord
from hotline.store.sql.idempotency_keys import IdempotencyKeys, IdempotencyRecord
from hotline.store.sql.verification_attempts import VerificationAttempts
from hotline.web.memory import key_held
from hotline.web.ports import KeyedOutcome, Session, User


def _dt(at: float) -> datetime:
    return datetime.fromtimestamp(at, UTC)


def _user(r: UserRecord) -> User:
    return User(id=r.id, username=r.username, display_name=r.display_name, role=r.role,
                agent_id=r.agent_id, password_hash=r.password_hash, disabled=r.disabled)


class SqlAccounts:
    """Users and tokens in the database. A token once checked is trusted for ``cache_s``
    seconds without a query (each request checks one): logging out or revoking clears it at
    once; disabling a user takes effect within ``cache_s``."""

    def __init__(self, accounts: Accounts, *, cache_s: float = 5.0) -> None:
        self.store = accounts
        self.cache_s = cache_s
        self._cache: dict[str, tuple[Session, float]] = {}

    def user_by_name(self, username: str) -> User | None:
        r = self.store.get_user_by_name(username)
        return None if r is None else _user(r)

    def add_user(self, *, username: str, display_name: str, role: str, agent_id: str | None,
                 password_hash: str) -> User:
        return _user(self.store.create_user(username, password_hash=password_hash, role=role,
                                            display_name=display_name, agent_id=agent_id))

    def list_users(self) -> list[User]:
        return [_user(r) for r in self.store.list_users()]

    def update_user(self, user: User) -> User:
        saved = _user(self.store.update_user(user.id, display_name=user.display_name,
                                             role=user.role, agent_id=user.agent_id,
                                             disabled=user.disabled))
        self._forget(user.id)  # cached sessions carry the old role and status
        return saved

    def set_password(self, user_id: int, password_hash: str) -> None:
        self.store.set_password_hash(user_id, password_hash)

    def revoke_sessions(self, user_id: int) -> int:
        self._forget(user_id)
        return self.store.revoke_user_tokens(user_id)

    def _forget(self, user_id: int) -> None:
        for h in [h for h, (s, _) in self._cache.items() if s.user.id == user_id]:
            del self._cache[h]

    def store_token(self, *, token_hash: str, user_id: int, kind: str, csrf: str | None,
                    expires_at: float) -> None:
        self.store.store_token(token_hash, user_id, kind, csrf, _dt(expires_at))

    def session(self, token_hash: str, now: float) -> Session | None:
        cached = self._cache.get(token_hash)
        if cached is not None and now < cached[1]:
            return cached[0]
        found = self.store.token_user(token_hash, _dt(now))
        if found is None:
            self._cache.pop(token_hash, None)
            return None
        user, token = found
        session = Session(user=_user(user), kind=token.kind, csrf=token.csrf)
        until = now + self.cache_s
        if token.expires_at is not None:
            until = min(until, token.expires_at.timestamp())
        if len(self._cache) > 100_000:  # a flood of tokens must not grow memory without end
            self._cache.clear()
        self._cache[token_hash] = (session, until)
        return session

    def revoke_token(self, token_hash: str) -> None:
        self._cache.pop(token_hash, None)
        self.store.revoke_token(token_hash)

    def record_login(self, username: str, at: float, ok: bool) -> None:
        self.store.record_login_attempt(username, ok, at=_dt(at))

    def failures_since(self, username: str, since: float) -> int:
        return self.store.recent_failures(username, _dt(since))


class SqlAudit:
    def __init__(self, log: AuditLog) -> None:
        self.log = log

    def record(self, *, at: float, actor: str, role: str, action: str, target: str,
               details: dict[str, Any]) -> None:
        self.log.record(actor, role, action, target, details, at=_dt(at))

    def recent(self, limit: int = 100) -> list[dict[str, Any]]:
        return [{"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "role": e.role,
                 "action": e.action, "target": e.target, "details": dict(e.details)}
                for e in self.log.latest(limit)]


_TIMES = ("offered_at", "answered_at", "ended_at")


class SqlHistory:
    """The contact history, written behind: rows merge in memory and go to the database in
    one transaction per ``flush`` (the server flushes twice a second), not one per event on
    the event loop. The event log stays the source of truth; at most the last half second of
    history rows is lost in a crash, and ``recent_for_customer`` sees pending rows at once."""

    def __init__(self, history: ContactHistory) -> None:
        self.store = history
        self.pending: dict[str, ContactRecord] = {}
        # Rows of contacts still in progress, so their next step needs no query.
        self.open: dict[str, ContactRecord] = {}

    def record(self, entry: dict[str, Any]) -> None:
        values: dict[str, Any] = {k: (_dt(v) if k in _TIMES and v is not None else v)
                                  for k, v in entry.items()}
        cid = entry["contact_id"]
        old = self.open.get(cid)
        if old is None and "offered_at" not in values:  # begun before this process started
            old = self.store.get_contact(cid)
        if old is None:
            if "offered_at" not in values:
                return  # a contact from before the history began
            row = ContactRecord(**values)
        else:
            row = replace(old, **{k: v for k, v in values.items() if k != "contact_id"})
        self.pending[cid] = row
        if row.ended_at is None:
            self.open[cid] = row
        else:
            self.open.pop(cid, None)

    def flush(self) -> int:
        rows = list(self.pending.values())
        self.pending.clear()
        self.store.record_contacts(rows)
        return len(rows)

    def recent_for_customer(self, customer_id: str, limit: int = 10) -> list[dict[str, Any]]:
        stored = {r.contact_id: r for r in self.store.recent_for_customer(customer_id, limit)}
        stored.update({cid: r for cid, r in self.pending.items() if r.customer_id == customer_id})
        rows = sorted(stored.values(), key=lambda r: (r.offered_at, r.contact_id),
                      reverse=True)[:limit]
        return [{"contact_id": r.contact_id, "channel": r.channel, "queue": r.queue,
                 "agent_id": r.agent_id, "outcome": r.outcome, "disposition": r.disposition,
                 "notes": r.notes, "offered_at": r.offered_at.timestamp(),
                 "ended_at": None if r.ended_at is None else r.ended_at.timestamp()}
                for r in rows]


class SqlIdempotencyKeys:
    """The banking routes' idempotency keys in the database; opened with the stored bank, a
    key is written in the same transaction as the money it moved (``step``)."""

    def __init__(self, keys: IdempotencyKeys) -> None:
        self.store = keys

    def get(self, key: str) -> KeyedOutcome | None:
        r = self.store.get(key)
        return None if r is None else KeyedOutcome(
            key=r.key, fingerprint=r.fingerprint, contact_id=r.contact_id,
            at=r.at.timestamp(), receipt=r.receipt, request_id=r.request_id)

    def put(self, outcome: KeyedOutcome) -> None:
        try:
            self.store.put(IdempotencyRecord(
                key=outcome.key, fingerprint=outcome.fingerprint,
                contact_id=outcome.contact_id, at=_dt(outcome.at), receipt=outcome.receipt,
                request_id=outcome.request_id))
        except Duplicate:
            raise key_held(outcome.key) from None

    def step(self) -> AbstractContextManager[None]:
        return self.store.step()


class SqlVerificationAttempts:
    """The desk's refused verification attempts in the database: the limit outlives a restart."""

    def __init__(self, attempts: VerificationAttempts) -> None:
        self.store = attempts

    def refused(self, contact_id: str) -> int:
        return self.store.refused(contact_id)

    def refuse(self, *, contact_id: str, customer_id: str, at: float) -> int:
        return self.store.refuse(contact_id=contact_id, customer_id=customer_id, at=_dt(at))

    def refused_customer(self, customer_id: str, since: float) -> int:
        return self.store.refused_customer(customer_id, _dt(since))
