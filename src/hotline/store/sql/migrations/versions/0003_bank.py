"""The sandbox bank's core data: its events, the audit trail, and the agent desk's state.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Spelled out here, not imported from schema.py: a migration is frozen once released.
UTC_TIME = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "bank_events",
        sa.Column("seq", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_bank_events"),
    )
    op.create_table(
        "bank_audit",
        sa.Column("seq", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.String(128), nullable=True),
        sa.Column("contact_id", sa.String(128), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.CheckConstraint("source IN ('bank', 'desk')", name="ck_bank_audit_source"),
        sa.PrimaryKeyConstraint("seq", name="pk_bank_audit"),
    )
    op.create_index("ix_bank_audit_customer_id_at", "bank_audit", ["customer_id", "at"])
    op.create_table(
        "bank_desk",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name="pk_bank_desk"),
    )


def downgrade() -> None:
    op.drop_table("bank_desk")
    op.drop_index("ix_bank_audit_customer_id_at", table_name="bank_audit")
    op.drop_table("bank_audit")
    op.drop_table("bank_events")
