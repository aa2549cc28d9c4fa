"""identity: source records and versions, contact points, customers, redirects, match links, crosswalk.

Revision ID: identity_0001
Revises: core_0001
"""

import sqlalchemy as sa
from alembic import op

import core.types

revision = "identity_0001"
down_revision = "core_0001"
branch_labels = ("identity",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "id_state",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("next_seq", sa.Integer(), nullable=False),
        sa.Column("rules", core.types.JSONDoc, nullable=True),
        sa.Column("rules_version", sa.String(80), nullable=True),
        sa.Column("updated_at", core.types.UTCDateTime(), nullable=False),
    )
    op.create_table(
        "id_customer",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False, unique=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("origin", sa.String(12), nullable=False),
        sa.Column("first_name", sa.String(200), nullable=True),
        sa.Column("last_name", sa.String(200), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("region", sa.String(3), nullable=True),
        sa.Column("jurisdiction", sa.String(8), nullable=True),
        sa.Column("jurisdiction_basis", sa.String(16), nullable=True),
        sa.Column("jurisdiction_from", sa.String(250), nullable=True),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", core.types.UTCDateTime(), nullable=False),
    )
    op.create_table(
        "id_redirect",
        sa.Column("from_id", sa.String(64), primary_key=True),
        sa.Column("to_id", sa.String(64), nullable=False),
        sa.Column("merged_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("reason", core.types.JSONDoc, nullable=False),
    )
    op.create_index("ix_id_redirect_to_id", "id_redirect", ["to_id"])
    op.create_table(
        "id_source_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_system", sa.String(40), nullable=False),
        sa.Column("source_key", sa.String(200), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=True),
        sa.Column("pinned_to", sa.String(64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("first_name", sa.String(200), nullable=True),
        sa.Column("last_name", sa.String(200), nullable=True),
        sa.Column("first_key", sa.String(200), nullable=False),
        sa.Column("last_key", sa.String(200), nullable=False),
        sa.Column("street", sa.String(300), nullable=True),
        sa.Column("city", sa.String(200), nullable=True),
        sa.Column("postal_code", sa.String(20), nullable=True),
        sa.Column("region", sa.String(3), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("jurisdiction", sa.String(8), nullable=True),
        sa.Column("observed_at", core.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", core.types.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("source_system", "source_key", name="uq_id_source_record_key"),
    )
    op.create_index("ix_id_source_record_customer_id", "id_source_record", ["customer_id"])
    op.create_table(
        "id_source_record_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("id_source_record.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("payload", core.types.JSONDoc, nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("observed_at", core.types.UTCDateTime(), nullable=True),
        sa.Column("recorded_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("record_id", "version", name="uq_id_source_record_version"),
    )
    op.create_index("ix_id_source_record_version_record_id", "id_source_record_version", ["record_id"])
    op.create_table(
        "id_contact_point",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("value", sa.String(320), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=True),
        sa.Column("record_id", sa.Integer(), sa.ForeignKey("id_source_record.id"), nullable=True),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("origin", sa.String(10), nullable=False),
        sa.Column("raw", sa.String(400), nullable=False),
        sa.Column("first_seen_at", core.types.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_id_contact_point_lookup", "id_contact_point", ["kind", "value", "customer_id"])
    op.create_index("ix_id_contact_point_customer_id", "id_contact_point", ["customer_id"])
    op.create_index("ix_id_contact_point_record_id", "id_contact_point", ["record_id"])
    op.create_table(
        "id_match_link",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("record_a", sa.Integer(), nullable=False),
        sa.Column("record_b", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("value", sa.String(320), nullable=False),
        sa.Column("rules_version", sa.String(80), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_id_match_link_record_a", "id_match_link", ["record_a"])
    op.create_index("ix_id_match_link_record_b", "id_match_link", ["record_b"])
    op.create_index("ix_id_match_link_value", "id_match_link", ["kind", "value"])
    op.create_table(
        "id_crosswalk",
        sa.Column("source_system", sa.String(40), primary_key=True),
        sa.Column("source_key", sa.String(200), primary_key=True),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("imported_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("imported_by", sa.String(200), nullable=False),
    )
    op.create_index("ix_id_crosswalk_customer_id", "id_crosswalk", ["customer_id"])


def downgrade() -> None:
    for table in (
        "id_crosswalk",
        "id_match_link",
        "id_contact_point",
        "id_source_record_version",
        "id_source_record",
        "id_redirect",
        "id_customer",
        "id_state",
    ):
        op.drop_table(table)
