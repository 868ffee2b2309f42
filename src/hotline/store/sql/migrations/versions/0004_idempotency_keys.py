"""The web's idempotency keys of agent-performed transactions, kept across restarts.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Spelled out here, not imported from schema.py: a migration is frozen once released.
UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("contact_id", sa.String(128), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("receipt", sa.Text(), nullable=True),
        sa.Column("request_id", sa.String(255), nullable=True),
        sa.CheckConstraint("(receipt IS NULL) <> (request_id IS NULL)",
                           name="ck_idempotency_keys_outcome"),
        sa.PrimaryKeyConstraint("key", name="pk_idempotency_keys"),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
