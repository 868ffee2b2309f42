"""Post-call satisfaction survey answers, one per contact (the CSAT KPI).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Spelled out here, not imported from schema.py: a migration is frozen once released.
UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("contact_id", sa.String(128), nullable=False),
        sa.Column("agent_id", sa.String(128), nullable=True),
        sa.Column("queue", sa.String(128), nullable=True),
        sa.Column("site", sa.String(64), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(1), nullable=True),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="ck_surveys_score"),
        sa.PrimaryKeyConstraint("contact_id", name="pk_surveys"),
    )
    op.create_index("ix_surveys_at", "surveys", ["at"])


def downgrade() -> None:
    op.drop_index("ix_surveys_at", table_name="surveys")
    op.drop_table("surveys")
