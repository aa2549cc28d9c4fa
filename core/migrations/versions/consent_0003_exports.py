"""consent: segment exports and the customers each one resolved.

Revision ID: consent_0003
Revises: consent_0002
"""

import sqlalchemy as sa
from alembic import op

import core.types

revision = "consent_0003"
down_revision = "consent_0002"
branch_labels = None
depends_on = None

UTC = core.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "consent_export",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("requested_at", UTC(), nullable=False),
        sa.Column("heartbeat_at", UTC(), nullable=False),
        sa.Column("finished_at", UTC()),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("purpose", sa.String(80), nullable=False),
        sa.Column("jurisdictions", core.types.JSONDoc),
        sa.Column("campaign", sa.String(200), nullable=False),
        sa.Column("input_name", sa.String(300), nullable=False),
        sa.Column("input_format", sa.String(10), nullable=False),
        sa.Column("subject_column", sa.String(40), nullable=False),
        sa.Column("subject_kind", sa.String(12)),
        sa.Column("policy_version", sa.String(80)),
        sa.Column("as_of", UTC()),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("output_rows", sa.Integer(), nullable=False),
        sa.Column("excluded_rows", sa.Integer(), nullable=False),
        sa.Column("reasons", core.types.JSONDoc),
        sa.Column("checksum", sa.String(64)),
        sa.Column("directory", sa.String(500), nullable=False),
        sa.Column("retention_expires_at", UTC(), nullable=False),
        sa.Column("files_deleted_at", UTC()),
        sa.Column("message", sa.Text(), nullable=False),
    )
    op.create_index("ix_consent_export_requested_at", "consent_export", ["requested_at"])
    op.create_index("ix_consent_export_retention_expires_at", "consent_export", ["retention_expires_at"])
    op.create_table(
        "consent_export_member",
        sa.Column("export_id", sa.String(40), primary_key=True),
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("subject", sa.String(330), nullable=False),
        sa.Column("included", sa.Boolean(), nullable=False),
        sa.Column("contact_point", sa.String(320)),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("decided_by_kind", sa.String(20)),
        sa.Column("decided_by_id", sa.String(200)),
        sa.Column("decided_by_source", sa.String(40)),
    )
    op.create_index(
        "ix_consent_export_member_customer", "consent_export_member", ["customer_id", "export_id"]
    )


def downgrade() -> None:
    op.drop_table("consent_export_member")
    op.drop_table("consent_export")
