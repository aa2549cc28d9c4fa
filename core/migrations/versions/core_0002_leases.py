"""core: leases (scheduler leader on SQLite, one run at a time per job on both databases).

Revision ID: core_0002
Revises: core_0001
"""

import sqlalchemy as sa
from alembic import op

import core.types

revision = "core_0002"
down_revision = "core_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lease",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("acquired_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("renewed_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", core.types.UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("lease")
