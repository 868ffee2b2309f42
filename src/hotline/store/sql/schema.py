"""The tables, as SQLAlchemy Core ``Table``s (one ``MetaData``); migrations create them.

Times are aware UTC datetimes (``UtcDateTime``): ``TIMESTAMP WITH TIME ZONE`` in PostgreSQL,
fixed-width UTC text in SQLite (so comparisons in SQL order correctly). Lists and mappings are
``JSON`` columns, which both backends store. Names of the constraints follow one convention so
later migrations can refer to them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

# Integer on SQLite, so the key is the rowid (no second index); BIGINT elsewhere.
BigId = BigInteger().with_variant(Integer(), "sqlite")
ROLES = ("agent", "supervisor", "analyst", "admin")
TOKEN_KINDS = ("session", "api")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; a naive datetime is refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None \
                or value.utcoffset() is None:
            # Callers check their own fields first (naming them); this is the last guard.
            raise ValueError(f"must be an aware datetime, got {value!r}")
        value = value.astimezone(UTC)
        # SQLite has no time zones: store UTC wall time; results get UTC back below.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

# --- the event log (layout of store/eventlog_sqlite.py) ------------------------------------------
events = Table(
    "events", metadata,
    Column("seq", BigId, primary_key=True, autoincrement=False),
    Column("at", Double, nullable=False),  # seconds since the epoch, as in the event
    Column("at_iso", Text, nullable=False),  # aware UTC ISO-8601, for people and SQL
    Column("type", String(64), nullable=False),
    Column("data", Text, nullable=False),  # hotline.core.events.to_json
)

# --- people and sessions -------------------------------------------------------------------------
users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", Text, nullable=False),
    Column("password_hash", Text, nullable=False),  # argon2, made by the caller
    Column("role", String(16), nullable=False),
    Column("agent_id", String(128), ForeignKey("agents.id", ondelete="SET NULL"),
           nullable=True),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint("role IN ('agent', 'supervisor', 'analyst', 'admin')", name="role"),
)

auth_tokens = Table(
    "auth_tokens", metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 hex; never the token itself
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("kind", String(16), nullable=False),
    Column("csrf", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),  # None: until revoked (API tokens)
    Column("last_used_at", UtcDateTime, nullable=True),
    CheckConstraint("kind IN ('session', 'api')", name="kind"),
)

login_attempts = Table(
    "login_attempts", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("remote", String(64), nullable=True),  # the client's address, when known
    Index(None, "username", "at"),
)

# --- the directory -------------------------------------------------------------------------------
skills = Table(
    "skills", metadata,
    Column("name", String(64), primary_key=True),
    Column("description", Text, nullable=False, default=""),
)

agents = Table(
    "agents", metadata,
    Column("id", String(128), primary_key=True),
    Column("name", Text, nullable=False),
    Column("site", String(64), nullable=False),
    Column("skills", JSON, nullable=False),  # {skill: proficiency 1..10}
    Column("languages", JSON, nullable=False),  # [language], sorted
    Column("capacity", JSON, nullable=False),  # {channel: contacts at once}
    Column("attributes", JSON, nullable=False),  # {name: str | int | float | bool}
    Column("auto_accept", Boolean, nullable=False, default=False),
    Column("active", Boolean, nullable=False, default=True),
)

queues = Table(
    "queues", metadata,
    Column("name", String(128), primary_key=True),
    Column("expression", Text, nullable=False),
    Column("ordering", String(16), nullable=False),
    Column("selection", String(32), nullable=False),
    Column("priority_weight_s", Double, nullable=False),
    Column("proficiency_skill", String(64), nullable=True),
    Column("site", String(64), nullable=True),
)

workflows = Table(
    "workflows", metadata,
    Column("name", String(128), primary_key=True),
    Column("steps", JSON, nullable=False),  # [{"queue": name, "timeout_s": float | None}]
    Column("fallback", String(16), nullable=True),
    Column("wrap_up_s", Double, nullable=True),
)

reason_codes = Table(  # why an agent is not ready
    "reason_codes", metadata,
    Column("code", String(64), primary_key=True),
    Column("label", Text, nullable=False),
)

wrap_up_codes = Table(  # dispositions chosen in wrap-up
    "wrap_up_codes", metadata,
    Column("code", String(64), primary_key=True),
    Column("label", Text, nullable=False),
)

kpi_targets = Table(  # also the wallboard's alert thresholds
    "kpi_targets", metadata,
    Column("scope", String(128), primary_key=True),  # "centre" or a queue name
    Column("metric", String(64), primary_key=True),
    Column("target", Double, nullable=False),
    Column("warn", Double, nullable=True),
)

business_hours = Table(
    "business_hours", metadata,
    Column("site", String(64), primary_key=True),
    Column("weekday", Integer, primary_key=True),  # 0 Monday .. 6 Sunday
    Column("opens", String(5), nullable=False),  # "HH:MM", local time of the centre
    Column("closes", String(5), nullable=False),  # "HH:MM", "24:00" for midnight
    CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
)

holidays = Table(
    "holidays", metadata,
    Column("day", Date, primary_key=True),
    Column("name", Text, nullable=False),
)

# --- records -------------------------------------------------------------------------------------
audit_log = Table(
    "audit_log", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(64), nullable=False),  # the username
    Column("role", String(16), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", Text, nullable=False),
    Column("details", JSON, nullable=False),
)

contact_history = Table(
    "contact_history", metadata,
    Column("contact_id", String(128), primary_key=True),
    Column("customer_id", String(128), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("queue", String(128), nullable=True),
    Column("agent_id", String(128), nullable=True),
    Column("offered_at", UtcDateTime, nullable=False),
    Column("answered_at", UtcDateTime, nullable=True),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("outcome", String(32), nullable=True),
    Column("disposition", String(64), nullable=True),
    Column("notes", Text, nullable=True),
    Index(None, "customer_id", "offered_at"),
)

surveys = Table(  # post-call satisfaction answers, one per contact (migration 0002)
    "surveys", metadata,
    Column("contact_id", String(128), primary_key=True),
    Column("agent_id", String(128), nullable=True),
    Column("queue", String(128), nullable=True),
    Column("site", String(64), nullable=True),
    Column("score", Integer, nullable=False),  # 1..5
    Column("reason", String(1), nullable=True),  # one digit 0..9
    Column("at", UtcDateTime, nullable=False),
    CheckConstraint("score BETWEEN 1 AND 5", name="score"),
    Index(None, "at"),
)

# --- the sandbox bank (migration 0003): its core data, which the sandbox replays on start ------
bank_events = Table(  # append only: the sandbox bank's events, in order
    "bank_events", metadata,
    Column("seq", BigId, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime, nullable=False),
    Column("type", String(64), nullable=False),
    Column("data", Text, nullable=False),  # hotline.store.sql.bank_codec; PANs and PIN hashes
)

bank_audit = Table(  # append only: who did what to which accounts (the bank's and the desk's)
    "bank_audit", metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("source", String(8), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("action", String(64), nullable=False),
    Column("customer_id", String(128), nullable=True),
    Column("contact_id", String(128), nullable=True),
    Column("data", Text, nullable=False),  # the AuditRecord, bank_codec
    CheckConstraint("source IN ('bank', 'desk')", name="source"),
    Index(None, "customer_id", "at"),
)

bank_desk = Table(  # the agent desk's state: verifications, approval requests, receipts
    "bank_desk", metadata,
    Column("kind", String(16), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("position", Integer, nullable=False),  # order within its kind (the desk's order)
    Column("data", Text, nullable=False),
)

# --- the web's idempotency keys of agent-performed transactions (migration 0004) --------------
idempotency_keys = Table(  # one row per key: the first outcome a retry with that key gets back
    "idempotency_keys", metadata,
    Column("key", String(128), primary_key=True),
    # A hash of who asked what on which contact, never the request itself (a payee's account).
    Column("fingerprint", String(64), nullable=False),
    Column("contact_id", String(128), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("receipt", Text, nullable=True),  # the Receipt, bank_codec; or else
    Column("request_id", String(255), nullable=True),  # the approval request it opened
    CheckConstraint("(receipt IS NULL) <> (request_id IS NULL)", name="outcome"),
    Index(None, "at"),  # the retention deletes by age (migration 0005)
)

# --- the desk's refused verification attempts (migration 0005) --------------------------------
verification_attempts = Table(  # one row per refused attempt, so the limit outlives a restart
    "verification_attempts", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("contact_id", String(128), nullable=False),
    # Whose questions were got wrong: the bank's id, never an answer given.
    Column("customer_id", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index(None, "contact_id"),
    Index(None, "at"),
)

# --- each day's IVR counts (migration 0006) ------------------------------------------------------
ivr_days = Table(  # IVR calls are not in the event log: their counts outlive a restart here
    "ivr_days", metadata,
    Column("day", String(10), primary_key=True),  # ISO date, the centre's time zone
    Column("tally", JSON, nullable=False),  # hotline.ivr.metrics.IvrTally.to_json()
    Column("updated_at", UtcDateTime, nullable=False),
)
