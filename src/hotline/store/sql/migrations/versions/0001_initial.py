"""The first schema: event log, users and tokens, directory, audit log, contact history.

Revision ID: 0001
Revises: -
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Spelled out here, not imported from schema.py: a migration is frozen once released.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("seq", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("at_iso", sa.Text(), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_events"),
    )
    op.create_table(
        "skills",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_skills"),
    )
    op.create_table(
        "agents",
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("site", sa.String(64), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.JSON(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("auto_accept", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agents"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("agent_id", sa.String(128), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], ondelete="SET NULL",
                                name="fk_users_agent_id_agents"),
        sa.CheckConstraint("role IN ('agent', 'supervisor', 'analyst', 'admin')",
                           name="ck_users_role"),
    )
    op.create_table(
        "auth_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("csrf", sa.Text(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=True),
        sa.Column("last_used_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name="pk_auth_tokens"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_auth_tokens_user_id_users"),
        sa.CheckConstraint("kind IN ('session', 'api')", name="ck_auth_tokens_kind"),
    )
    op.create_index("ix_auth_tokens_user_id", "auth_tokens", ["user_id"])
    op.create_table(
        "login_attempts",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("remote", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_login_attempts"),
    )
    op.create_index("ix_login_attempts_username_at", "login_attempts", ["username", "at"])
    op.create_table(
        "queues",
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("expression", sa.Text(), nullable=False),
        sa.Column("ordering", sa.String(16), nullable=False),
        sa.Column("selection", sa.String(32), nullable=False),
        sa.Column("priority_weight_s", sa.Double(), nullable=False),
        sa.Column("proficiency_skill", sa.String(64), nullable=True),
        sa.Column("site", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_queues"),
    )
    op.create_table(
        "workflows",
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("fallback", sa.String(16), nullable=True),
        sa.Column("wrap_up_s", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_workflows"),
    )
    for table in ("reason_codes", "wrap_up_codes"):
        op.create_table(
            table,
            sa.Column("code", sa.String(64), nullable=False),
            sa.Column("label", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("code", name=f"pk_{table}"),
        )
    op.create_table(
        "kpi_targets",
        sa.Column("scope", sa.String(128), nullable=False),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("target", sa.Double(), nullable=False),
        sa.Column("warn", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("scope", "metric", name="pk_kpi_targets"),
    )
    op.create_table(
        "business_hours",
        sa.Column("site", sa.String(64), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens", sa.String(5), nullable=False),
        sa.Column("closes", sa.String(5), nullable=False),
        sa.PrimaryKeyConstraint("site", "weekday", name="pk_business_hours"),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_business_hours_weekday"),
    )
    op.create_table(
        "holidays",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_holidays"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_table(
        "contact_history",
        sa.Column("contact_id", sa.String(128), nullable=False),
        sa.Column("customer_id", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("queue", sa.String(128), nullable=True),
        sa.Column("agent_id", sa.String(128), nullable=True),
        sa.Column("offered_at", UTC_TIME, nullable=False),
        sa.Column("answered_at", UTC_TIME, nullable=True),
        sa.Column("ended_at", UTC_TIME, nullable=True),
        sa.Column("outcome", sa.String(32), nullable=True),
        sa.Column("disposition", sa.String(64), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("contact_id", name="pk_contact_history"),
    )
    op.create_index("ix_contact_history_customer_id_offered_at", "contact_history",
                    ["customer_id", "offered_at"])


def downgrade() -> None:
    for table in ("contact_history", "audit_log", "holidays", "business_hours", "kpi_targets",
                  "wrap_up_codes", "reason_codes", "workflows", "queues", "login_attempts",
                  "auth_tokens", "users", "agents", "skills", "events"):
        op.drop_table(table)
