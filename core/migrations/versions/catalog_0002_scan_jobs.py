"""catalog: scans started from the web pages and run in the background, with their progress.

Revision ID: catalog_0002
Revises: catalog_0001
"""

import sqlalchemy as sa
from alembic import op

import core.types

revision = "catalog_0002"
down_revision = "catalog_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_scan_job",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("source_name", sa.String(100), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("tables_done", sa.Integer(), nullable=False),
        sa.Column("tables_total", sa.Integer(), nullable=True),
        sa.Column("message", sa.String(2000), nullable=True),
        sa.Column("scan_id", sa.String(40), nullable=True),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("dropped", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("requested_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("heartbeat_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("finished_at", core.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_catalog_scan_job_source_name"), "catalog_scan_job", ["source_name"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_catalog_scan_job_source_name"), table_name="catalog_scan_job")
    op.drop_table("catalog_scan_job")
