"""consent: append-only facts, registry snapshots, policy versions, unified decisions, pull cursors.

Revision ID: consent_0001
Revises: core_0001
"""

import sqlalchemy as sa
from alembic import op

import core.types

revision = "consent_0001"
down_revision = "core_0001"
branch_labels = ("consent",)
depends_on = None

UTC = core.types.UTCDateTime


def _fact_columns(subject: bool = True) -> list[sa.Column]:
    columns = []
    if subject:
        columns += [sa.Column("subject_kind", sa.String(12)), sa.Column("subject", sa.String(250))]
    return [
        *columns,
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("received_at", UTC(), nullable=False),
        sa.Column("ingested_at", UTC(), nullable=False),
        sa.Column("ingested_by", sa.String(200), nullable=False),
    ]


def _fact_table(name: str, *columns: sa.Column, subject: bool = True) -> None:
    op.create_table(
        name,
        *_fact_columns(subject),
        *columns,
        sa.UniqueConstraint("source", "source_id", name=f"uq_{name}_source_id"),
    )
    if subject:
        op.create_index(f"ix_{name}_subject", name, ["subject"])


def upgrade() -> None:
    _fact_table(
        "consent_record",
        sa.Column("channel", sa.String(20)),
        sa.Column("purpose", sa.String(80), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("method", sa.String(40), nullable=False),
        sa.Column("scope", sa.String(14), nullable=False),
        sa.Column("contact_kind", sa.String(10)),
        sa.Column("contact_point", sa.String(320)),
        sa.Column("captured_at", UTC(), nullable=False),
        sa.Column("expires_at", UTC()),
        sa.Column("jurisdiction", sa.String(8)),
        sa.Column("evidence", core.types.JSONDoc),
    )
    op.create_index("ix_consent_record_contact_point", "consent_record", ["contact_point"])
    _fact_table(
        "consent_suppression",
        sa.Column("list", sa.String(40), nullable=False),
        sa.Column("contact_kind", sa.String(10)),
        sa.Column("contact_point", sa.String(320)),
        sa.Column("captured_at", UTC(), nullable=False),
        sa.Column("expires_at", UTC()),
    )
    op.create_index("ix_consent_suppression_contact_point", "consent_suppression", ["contact_point"])
    _fact_table(
        "consent_dnc_request",
        sa.Column("phone", sa.String(20)),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("captured_at", UTC(), nullable=False),
    )
    op.create_index("ix_consent_dnc_request_phone", "consent_dnc_request", ["phone"])
    _fact_table("consent_gpc_signal", sa.Column("observed_at", UTC(), nullable=False))
    _fact_table(
        "consent_relationship",
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("occurred_at", UTC(), nullable=False),
        sa.Column("soft_opt_in_notice_given", sa.Boolean(), nullable=False),
    )
    _fact_table(
        "consent_registry_snapshot",
        sa.Column("registry_name", sa.String(40), nullable=False),
        sa.Column("downloaded_at", UTC(), nullable=False),
        sa.Column("number_count", sa.Integer(), nullable=False),
        subject=False,
    )
    op.create_table(
        "consent_registry_number",
        sa.Column(
            "snapshot_seq", sa.Integer(), sa.ForeignKey("consent_registry_snapshot.seq"), primary_key=True
        ),
        sa.Column("phone", sa.String(20), primary_key=True),
    )
    op.create_index("ix_consent_registry_number_phone", "consent_registry_number", ["phone"])
    op.create_table(
        "consent_policy",
        sa.Column("version", sa.String(80), primary_key=True),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("uploaded_at", UTC(), nullable=False),
        sa.Column("uploaded_by", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("activated_at", UTC()),
        sa.Column("activated_by", sa.String(200)),
    )
    op.create_table(
        "consent_decision",
        sa.Column("customer_id", sa.String(64), primary_key=True),
        sa.Column("channel", sa.String(20), primary_key=True),
        sa.Column("purpose", sa.String(80), primary_key=True),
        sa.Column("contact_point", sa.String(320), primary_key=True),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("decided_by_kind", sa.String(20)),
        sa.Column("decided_by_id", sa.String(200)),
        sa.Column("decided_by_source", sa.String(40)),
        sa.Column("policy_version", sa.String(80), nullable=False),
        sa.Column("evaluated_at", UTC(), nullable=False),
        sa.Column("valid_until", UTC()),
        sa.Column("rule", sa.String(160)),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_consent_decision_valid_until", "consent_decision", ["valid_until"])
    op.create_table(
        "consent_pull_state",
        sa.Column("source", sa.String(40), primary_key=True),
        sa.Column("table_name", sa.String(80), primary_key=True),
        sa.Column("cursor", sa.String(64)),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("pulled_at", UTC(), nullable=False),
    )


def downgrade() -> None:
    for name in (
        "consent_pull_state",
        "consent_decision",
        "consent_policy",
        "consent_registry_number",
        "consent_registry_snapshot",
        "consent_relationship",
        "consent_gpc_signal",
        "consent_dnc_request",
        "consent_suppression",
        "consent_record",
    ):
        op.drop_table(name)
