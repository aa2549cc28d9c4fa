"""consent: files taken from source systems' feed folders (ingested once by content, or failed).

Revision ID: consent_0004
Revises: consent_0003
"""

import sqlalchemy as sa
from alembic import op

import core.types

revision = "consent_0004"
down_revision = "consent_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_feed_file",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("batch_id", sa.String(40)),
        sa.Column("counts", core.types.JSONDoc),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("processed_at", core.types.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("source", "sha256", name="uq_consent_feed_file_content"),
    )
    op.create_index("ix_consent_feed_file_processed_at", "consent_feed_file", ["processed_at"])


def downgrade() -> None:
    op.drop_table("consent_feed_file")
