"""consent: policy dry-runs kept as records (progress, result, who asked).

Revision ID: consent_0002
Revises: consent_0001
"""

import sqlalchemy as sa
from alembic import op

import core.types

revision = "consent_0002"
down_revision = "consent_0001"
branch_labels = None
depends_on = None

UTC = core.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "consent_policy_dry_run",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("version", sa.String(80), nullable=False),
        sa.Column("active_version", sa.String(80), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("requested_at", UTC(), nullable=False),
        sa.Column("heartbeat_at", UTC(), nullable=False),
        sa.Column("finished_at", UTC()),
        sa.Column("customers_total", sa.Integer(), nullable=False),
        sa.Column("customers_done", sa.Integer(), nullable=False),
        sa.Column("result", core.types.JSONDoc),
        sa.Column("message", sa.Text(), nullable=False),
    )
    op.create_index("ix_consent_policy_dry_run_version", "consent_policy_dry_run", ["version"])


def downgrade() -> None:
    op.drop_table("consent_policy_dry_run")
