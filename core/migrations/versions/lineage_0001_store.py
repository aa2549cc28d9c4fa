"""lineage: raw OpenLineage events and the derived graph (namespaces, sources, datasets, jobs, runs, edges).

Revision ID: lineage_0001
Revises: core_0001
"""

import sqlalchemy as sa
from alembic import op

import core.types

revision = "lineage_0001"
down_revision = "core_0001"
branch_labels = ("lineage",)
depends_on = None

UTC = core.types.UTCDateTime
JSON = core.types.JSONDoc


def upgrade() -> None:
    op.create_table(
        "lineage_event",
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("event_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("event_type", sa.String(10), nullable=True),
        sa.Column("event_time", UTC(), nullable=False),
        sa.Column("received_at", UTC(), nullable=False),
        sa.Column("run_id", sa.String(36), nullable=True),
        sa.Column("job_namespace", sa.Text(), nullable=True),
        sa.Column("job_name", sa.Text(), nullable=True),
        sa.Column("producer", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
    )
    op.create_index("ix_lineage_event_time_seq", "lineage_event", ["event_time", "seq"])
    op.create_index("ix_lineage_event_received_at", "lineage_event", ["received_at"])
    op.create_index("ix_lineage_event_run_id", "lineage_event", ["run_id"])
    op.create_table(
        "lineage_pending",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("queued_at", UTC(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_table(
        "lineage_namespace",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(512), nullable=False, unique=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
    )
    op.create_table(
        "lineage_source",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(512), nullable=False, unique=True),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
    )
    _datasets()
    _jobs_and_runs()
    op.create_table(
        "lineage_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def _datasets() -> None:
    op.create_table(
        "lineage_dataset",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(32), nullable=False, unique=True),
        sa.Column("namespace", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("fields", JSON, nullable=False),
        sa.Column("facets", JSON, nullable=False),
        sa.Column("facet_stamps", JSON, nullable=False),
        sa.Column("owners", JSON, nullable=False),
        sa.Column("current_version", sa.String(36), nullable=True),
        sa.Column("lifecycle_state", sa.String(20), nullable=True),
        sa.Column("dropped", sa.Boolean(), nullable=False),
        sa.Column("dropped_at", UTC(), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.Column("last_modified_at", UTC(), nullable=True),
        sa.Column("column_lineage_stamp", sa.String(100), nullable=True),
    )
    op.create_table(
        "lineage_dataset_name",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("namespace", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), sa.ForeignKey("lineage_dataset.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("link_type", sa.String(64), nullable=True),
    )
    op.create_index("ix_lineage_dataset_name_dataset_id", "lineage_dataset_name", ["dataset_id"])
    op.create_table(
        "lineage_dataset_version",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("dataset_id", sa.Integer(), sa.ForeignKey("lineage_dataset.id"), nullable=False),
        sa.Column("run_id", sa.String(36), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("fields", JSON, nullable=False),
        sa.Column("fields_stamp", sa.String(100), nullable=False),
        sa.Column("lifecycle_state", sa.String(20), nullable=True),
        sa.Column("row_count", sa.BigInteger(), nullable=True),
    )
    op.create_index("ix_lineage_dataset_version_dataset_id", "lineage_dataset_version", ["dataset_id"])
    op.create_index("ix_lineage_dataset_version_run_id", "lineage_dataset_version", ["run_id"])


def _jobs_and_runs() -> None:
    op.create_table(
        "lineage_job",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(32), nullable=False, unique=True),
        sa.Column("namespace", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("job_type", sa.String(64), nullable=True),
        sa.Column("integration", sa.String(64), nullable=True),
        sa.Column("processing_type", sa.String(20), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("facets", JSON, nullable=False),
        sa.Column("facet_stamps", JSON, nullable=False),
        sa.Column("parent_job_id", sa.Integer(), sa.ForeignKey("lineage_job.id"), nullable=True),
        sa.Column("parent_stamp", sa.String(100), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.Column("io_run_id", sa.String(36), nullable=True),
        sa.Column("latest_run_id", sa.String(36), nullable=True),
    )
    op.create_index("ix_lineage_job_parent_job_id", "lineage_job", ["parent_job_id"])
    op.create_table(
        "lineage_run",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("job_id", sa.Integer(), sa.ForeignKey("lineage_job.id"), nullable=False),
        sa.Column("parent_run_id", sa.String(36), nullable=True),
        sa.Column("is_static", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("state_stamp", sa.String(100), nullable=True),
        sa.Column("started_at", UTC(), nullable=True),
        sa.Column("ended_at", UTC(), nullable=True),
        sa.Column("first_event_at", UTC(), nullable=False),
        sa.Column("last_event_at", UTC(), nullable=False),
        sa.Column("sort_at", UTC(), nullable=False),
        sa.Column("nominal_start", UTC(), nullable=True),
        sa.Column("nominal_end", UTC(), nullable=True),
        sa.Column("facets", JSON, nullable=False),
        sa.Column("facet_stamps", JSON, nullable=False),
        sa.Column("has_io", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_lineage_run_job_sort", "lineage_run", ["job_id", "sort_at"])
    op.create_index("ix_lineage_run_parent_run_id", "lineage_run", ["parent_run_id"])
    op.create_table(
        "lineage_run_state",
        sa.Column("event_hash", sa.String(64), primary_key=True),
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("transition", sa.String(12), nullable=False),
        sa.Column("at", UTC(), nullable=False),
    )
    op.create_index("ix_lineage_run_state_run_id", "lineage_run_state", ["run_id"])
    _edges()


def _edges() -> None:
    op.create_table(
        "lineage_run_io",
        sa.Column("run_id", sa.String(36), primary_key=True),
        sa.Column("direction", sa.String(3), primary_key=True),
        sa.Column("dataset_id", sa.Integer(), sa.ForeignKey("lineage_dataset.id"), primary_key=True),
    )
    op.create_index("ix_lineage_run_io_dataset", "lineage_run_io", ["dataset_id", "direction", "run_id"])
    op.create_table(
        "lineage_edge",
        sa.Column("job_id", sa.Integer(), sa.ForeignKey("lineage_job.id"), primary_key=True),
        sa.Column("direction", sa.String(3), primary_key=True),
        sa.Column("dataset_id", sa.Integer(), sa.ForeignKey("lineage_dataset.id"), primary_key=True),
    )
    op.create_index("ix_lineage_edge_dataset", "lineage_edge", ["dataset_id", "direction", "job_id"])
    op.create_table(
        "lineage_column_edge",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("out_dataset_id", sa.Integer(), sa.ForeignKey("lineage_dataset.id"), nullable=False),
        sa.Column("out_field", sa.String(512), nullable=False),
        sa.Column("in_dataset_id", sa.Integer(), sa.ForeignKey("lineage_dataset.id"), nullable=False),
        sa.Column("in_field", sa.String(512), nullable=False),
        sa.Column("transformations", JSON, nullable=False),
        sa.Column("transformation_type", sa.String(40), nullable=True),
        sa.Column("transformation_description", sa.Text(), nullable=True),
        sa.Column("direct", sa.Boolean(), nullable=False),
        sa.Column("masking", sa.Boolean(), nullable=False),
        sa.Column("job_id", sa.Integer(), sa.ForeignKey("lineage_job.id"), nullable=True),
    )
    op.create_index("ix_lineage_column_edge_out", "lineage_column_edge", ["out_dataset_id", "out_field"])
    op.create_index("ix_lineage_column_edge_in", "lineage_column_edge", ["in_dataset_id", "in_field"])


def downgrade() -> None:
    for table in (
        "lineage_column_edge",
        "lineage_edge",
        "lineage_run_io",
        "lineage_run_state",
        "lineage_run",
        "lineage_job",
        "lineage_dataset_version",
        "lineage_dataset_name",
        "lineage_dataset",
        "lineage_meta",
        "lineage_pending",
        "lineage_source",
        "lineage_namespace",
        "lineage_event",
    ):
        op.drop_table(table)
