"""The desk's refused verification attempts, kept across restarts; idempotency keys by age.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Spelled out here, not imported from schema.py: a migration is frozen once released.
UTC_TIME = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "verification_attempts",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("contact_id", sa.String(128), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_verification_attempts"),
    )
    op.create_index("ix_verification_attempts_contact_id", "verification_attempts",
                    ["contact_id"])
    op.create_index("ix_verification_attempts_at", "verification_attempts", ["at"])
    # The retention deletes keys by age.
    op.create_index("ix_idempotency_keys_at", "idempotency_keys", ["at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_at", table_name="idempotency_keys")
    op.drop_index("ix_verification_attempts_at", table_name="verification_attempts")
    op.drop_index("ix_verification_attempts_contact_id", table_name="verification_attempts")
    op.drop_table("verification_attempts")
