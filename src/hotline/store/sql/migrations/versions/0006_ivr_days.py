"""Each day's IVR counts, so the wallboard's IVR figures outlive a restart.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Spelled out here, not imported from schema.py: a migration is frozen once released.
UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ivr_days",
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("tally", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_ivr_days"),
    )


def downgrade() -> None:
    op.drop_table("ivr_days")
