"""jobs: job run history.

Revision ID: jobs_0001
Revises: core_0001
"""

import sqlalchemy as sa
from alembic import op

import core.types

revision = "jobs_0001"
down_revision = "core_0001"
branch_labels = ("jobs",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_run",
        sa.Column("run_id", sa.String(36), primary_key=True),
        sa.Column("job", sa.String(120), nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("started_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("finished_at", core.types.UTCDateTime(), nullable=True),
        sa.Column("counts", core.types.JSONDoc, nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
    )
    op.create_index("ix_job_run_started_at", "job_run", ["started_at"])
    op.create_index("ix_job_run_job_started", "job_run", ["job", "started_at"])


def downgrade() -> None:
    op.drop_table("job_run")
