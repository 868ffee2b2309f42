"""Users, their session and API tokens, and login attempts (for throttling).

Only hashes are stored: the caller hashes passwords (argon2) and tokens (``token_hash``, the
sha256 hex of the token). A token is good until ``expires_at`` (None: until revoked) while its
user is enabled.

>>> from datetime import UTC, datetime, timedelta
>>> from hotline.store.sql.database import open_database, migrate
>>> engine = open_database("sqlite://"); migrate(engine)
>>> accounts = Accounts(engine)
>>> now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
>>> ann = accounts.create_user("ann", password_hash="$argon2id$...", role="supervisor", now=now)
>>> h = token_hash("secret-session-token")
>>> _ = accounts.store_token(h, ann.id, "session", "csrf-1", now + timedelta(hours=8), now=now)
>>> accounts.token_user(h, now + timedelta(hours=1))[0].username
'ann'
>>> accounts.token_user(h, now + timedelta(hours=9)) is None   # expired
True
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from hotline.store.sql import schema
from hotline.store.sql.errors import AccountError, Duplicate, NotFound
from hotline.store.sql.records import aware

ROLES = schema.ROLES
TOKEN_KINDS = schema.TOKEN_KINDS
_USERNAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
_HASH = re.compile(r"[0-9a-f]{64}")


def token_hash(token: str) -> str:
    """The sha256 hex of a token: what is stored and looked up, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, kw_only=True, slots=True)
class UserRecord:
    id: int
    username: str
    display_name: str
    password_hash: str
    role: str  # agent, supervisor, analyst or admin
    agent_id: str | None  # the agent this user works as
    disabled: bool
    created_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class TokenRecord:
    token_hash: str
    user_id: int
    kind: str  # session or api
    csrf: str | None
    created_at: datetime
    expires_at: datetime | None  # None: until revoked
    last_used_at: datetime | None


class Keep(Enum):
    """``update_user``'s default: leave the field as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


class Accounts:
    """Users, tokens and login attempts in ``engine``'s database.

    ``token_user`` notes when a token was last used, at most once per ``touch_every_s`` per
    token, so a busy session does not write on every request.
    """

    def __init__(self, engine: Engine, *, touch_every_s: float = 60.0) -> None:
        self.engine = engine
        self.touch_every_s = touch_every_s

    # --- users -----------------------------------------------------------------------------------
    def create_user(self, username: str, *, password_hash: str, role: str,
                    display_name: str | None = None, agent_id: str | None = None,
                    disabled: bool = False, now: datetime | None = None) -> UserRecord:
        """Create a user; ``Duplicate`` if the username is taken."""
        _check_username(username)
        fields = {"username": username,
                  "display_name": _text(display_name or username, "display_name"),
                  "password_hash": _password_hash(password_hash), "role": _role(role),
                  "agent_id": agent_id, "disabled": _flag(disabled, "disabled"),
                  "created_at": _now(now, "now")}
        with self.engine.begin() as c:
            self._check_agent(c, agent_id)
            if c.execute(select(schema.users.c.id)
                         .where(schema.users.c.username == username)).first() is not None:
                raise Duplicate("user", username)
            try:
                user_id = c.execute(schema.users.insert().values(fields)
                                    .returning(schema.users.c.id)).scalar_one()
            except IntegrityError:
                raise Duplicate("user", username) from None
            user = self._user_in(c, schema.users.c.id == user_id)
        assert user is not None
        return user

    def get_user(self, user_id: int) -> UserRecord | None:
        return self._user(schema.users.c.id == user_id)

    def get_user_by_name(self, username: str) -> UserRecord | None:
        return self._user(schema.users.c.username == username)

    def list_users(self) -> list[UserRecord]:
        with self.engine.connect() as c:
            rows = c.execute(select(schema.users).order_by(schema.users.c.username))
            return [UserRecord(**row._mapping) for row in rows]

    def update_user(self, user_id: int, *, display_name: str | Keep = KEEP,
                    role: str | Keep = KEEP, agent_id: str | Keep | None = KEEP,
                    disabled: bool | Keep = KEEP) -> UserRecord:
        """Change the fields given; ``NotFound`` for an unknown user."""
        values: dict[str, Any] = {}
        if display_name is not KEEP:
            values["display_name"] = _text(display_name, "display_name")
        if role is not KEEP:
            values["role"] = _role(role)
        if disabled is not KEEP:
            values["disabled"] = _flag(disabled, "disabled")
        with self.engine.begin() as c:
            if agent_id is not KEEP:
                self._check_agent(c, agent_id)
                values["agent_id"] = agent_id
            self._update(c, user_id, values)
        user = self.get_user(user_id)
        assert user is not None
        return user

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        with self.engine.begin() as c:
            self._update(c, user_id, {"password_hash": _password_hash(password_hash)})

    def delete_user(self, user_id: int) -> None:
        """Delete the user and, with it, every token of theirs."""
        with self.engine.begin() as c:
            if c.execute(delete(schema.users).where(schema.users.c.id == user_id)).rowcount == 0:
                raise NotFound("user", str(user_id))

    # --- tokens ----------------------------------------------------------------------------------
    def store_token(self, token_hash: str, user_id: int, kind: str, csrf: str | None,
                    expires_at: datetime | None, *, now: datetime | None = None) -> TokenRecord:
        """Keep a token's hash; ``expires_at`` None keeps it until revoked."""
        if not isinstance(token_hash, str) or not _HASH.fullmatch(token_hash):
            raise AccountError("token_hash", "must be the sha256 hex of the token (64 of 0-9a-f); "
                                             "tokens themselves are never stored")
        if kind not in TOKEN_KINDS:
            raise AccountError("kind", f"must be one of {', '.join(TOKEN_KINDS)}, got {kind!r}")
        if csrf is not None and not isinstance(csrf, str):
            raise AccountError("csrf", f"must be text or None, got {csrf!r}")
        created = _now(now, "now")
        expires = None if expires_at is None else _at(expires_at, "expires_at")
        record = TokenRecord(token_hash=token_hash, user_id=user_id, kind=kind, csrf=csrf,
                             created_at=created, expires_at=expires, last_used_at=None)
        with self.engine.begin() as c:
            if self._user_in(c, schema.users.c.id == user_id) is None:
                raise NotFound("user", str(user_id))
            try:
                c.execute(schema.auth_tokens.insert().values(_fields(record)))
            except IntegrityError:
                raise Duplicate("token", token_hash[:8] + "…") from None
        return record

    def token_user(self, token_hash: str, now: datetime
                   ) -> tuple[UserRecord, TokenRecord] | None:
        """The user and token behind ``token_hash``; None if unknown, expired or disabled."""
        now = _at(now, "now")
        t, u = schema.auth_tokens, schema.users
        with self.engine.connect() as c:
            row = c.execute(select(*[col.label(f"t_{col.name}") for col in t.c],
                                   *[col.label(f"u_{col.name}") for col in u.c])
                            .join_from(t, u, u.c.id == t.c.user_id)
                            .where(t.c.token_hash == token_hash)).first()
            if row is None:
                return None
            m = row._mapping
            token = TokenRecord(**{col.name: m[f"t_{col.name}"] for col in t.c})
            user = UserRecord(**{col.name: m[f"u_{col.name}"] for col in u.c})
            if user.disabled or (token.expires_at is not None and token.expires_at <= now):
                return None
            last = token.last_used_at
            if last is None or (now - last).total_seconds() >= self.touch_every_s:
                c.execute(update(t).where(t.c.token_hash == token_hash)
                          .values(last_used_at=now))
                c.commit()
                token = TokenRecord(**{**_fields(token), "last_used_at": now})
        return user, token

    def list_tokens(self, user_id: int) -> list[TokenRecord]:
        t = schema.auth_tokens
        with self.engine.connect() as c:
            rows = c.execute(select(t).where(t.c.user_id == user_id).order_by(t.c.created_at))
            return [TokenRecord(**row._mapping) for row in rows]

    def revoke_token(self, token_hash: str) -> bool:
        """Forget the token; False if it was not known."""
        t = schema.auth_tokens
        with self.engine.begin() as c:
            return bool(c.execute(delete(t).where(t.c.token_hash == token_hash)).rowcount)

    def revoke_user_tokens(self, user_id: int, kind: str | None = None) -> int:
        """Forget the user's tokens (of one ``kind``, or all); how many there were."""
        t = schema.auth_tokens
        where = [t.c.user_id == user_id] + ([t.c.kind == kind] if kind else [])
        with self.engine.begin() as c:
            return int(c.execute(delete(t).where(*where)).rowcount)

    def purge_expired_tokens(self, now: datetime) -> int:
        t = schema.auth_tokens
        with self.engine.begin() as c:
            return int(c.execute(delete(t).where(t.c.expires_at <= _at(now, "now"))).rowcount)

    # --- login attempts --------------------------------------------------------------------------
    def record_login_attempt(self, username: str, ok: bool, *, at: datetime | None = None,
                             remote: str | None = None) -> None:
        """Note an attempt; any username is noted (cut to 64 characters), known or not."""
        with self.engine.begin() as c:
            c.execute(schema.login_attempts.insert().values(
                username=str(username)[:64], ok=_flag(ok, "ok"), at=_now(at, "at"),
                remote=None if remote is None else str(remote)[:64]))

    def recent_failures(self, username: str, since: datetime) -> int:
        """Failed attempts for ``username`` at or after ``since`` and after its last success."""
        a = schema.login_attempts
        last_ok = (select(func.max(a.c.at)).where(a.c.username == username[:64], a.c.ok)
                   .scalar_subquery())
        query = (select(func.count()).select_from(a)
                 .where(a.c.username == username[:64], ~a.c.ok, a.c.at >= _at(since, "since"),
                        or_(last_ok.is_(None), a.c.at > last_ok)))
        with self.engine.connect() as c:
            return int(c.execute(query).scalar_one())

    def purge_login_attempts(self, before: datetime) -> int:
        a = schema.login_attempts
        with self.engine.begin() as c:
            return int(c.execute(delete(a).where(a.c.at < _at(before, "before"))).rowcount)

    # --- plumbing --------------------------------------------------------------------------------
    def _user(self, where: Any) -> UserRecord | None:
        with self.engine.connect() as c:
            return self._user_in(c, where)

    @staticmethod
    def _user_in(c: Connection, where: Any) -> UserRecord | None:
        row = c.execute(select(schema.users).where(where)).first()
        return None if row is None else UserRecord(**row._mapping)

    @staticmethod
    def _update(c: Connection, user_id: int, values: Mapping[str, Any]) -> None:
        u = schema.users
        if c.execute(select(u.c.id).where(u.c.id == user_id)).first() is None:
            raise NotFound("user", str(user_id))
        if values:
            c.execute(update(u).where(u.c.id == user_id).values(**values))

    @staticmethod
    def _check_agent(c: Connection, agent_id: str | None) -> None:
        if agent_id is None:
            return
        if c.execute(select(schema.agents.c.id)
                     .where(schema.agents.c.id == agent_id)).first() is None:
            raise AccountError("agent_id", f"no agent '{agent_id}'")


def _check_username(username: object) -> None:
    if not isinstance(username, str) or not _USERNAME.fullmatch(username):
        raise AccountError("username", "must be 1–64 letters, digits, '_', '.', '@' or '-', "
                                       f"got {username!r}")


def _role(role: object) -> str:
    if role not in ROLES:
        raise AccountError("role", f"must be one of {', '.join(ROLES)}, got {role!r}")
    return str(role)


def _password_hash(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise AccountError("password_hash", "is empty")
    return value


def _text(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise AccountError(field, f"must be 1–200 characters, got {value!r}")
    return value


def _flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise AccountError(field, f"must be true or false, got {value!r}")
    return value


def _now(value: datetime | None, field: str) -> datetime:
    return datetime.now(UTC) if value is None else _at(value, field)


def _at(value: object, field: str) -> datetime:
    return aware(value, field, AccountError)


def _fields(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__slots__}
