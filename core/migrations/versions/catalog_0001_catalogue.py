"""catalog: datasets, columns, schema versions, owners, tags, classification, certification, glossary,
metrics, sources, scans, usage and the search index (FTS5 on SQLite, tsvector + GIN on PostgreSQL).

Revision ID: catalog_0001
Revises: core_0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.types

revision = "catalog_0001"
down_revision = "core_0001"
branch_labels = ("catalog",)
depends_on = None

TSV = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")

# SQLite's full-text index over catalog_search_doc (external content: the text is stored once).
# Porter stemming over unicode61 words with diacritics folded; '_' separates words, so
# `crm_contacts` is found by `contacts`. Prefix indexes keep 2- and 3-letter prefix queries cheap.
FTS5 = """CREATE VIRTUAL TABLE catalog_search_fts USING fts5(
    name, title, description, columns, tags, terms, owners,
    content='catalog_search_doc', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2', prefix='2 3'
)"""
# Names, titles, tags and glossary terms only: "the dataset is about this word".
FTS5_NAMES = """CREATE VIRTUAL TABLE catalog_search_fts_names USING fts5(
    name, title, tags, terms,
    content='catalog_search_doc', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2', prefix='2 3'
)"""


def upgrade() -> None:
    op.create_table(
        "catalog_certification_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("at", core.types.UTCDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("expires_at", core.types.UTCDateTime(), nullable=True),
        sa.Column("replacement_id", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_catalog_certification_event_subject_id"),
        "catalog_certification_event",
        ["subject_id"],
        unique=False,
    )
    op.create_table(
        "catalog_classification_rule",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("pii_class", sa.String(60), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("column_pattern", sa.String(1000), nullable=True),
        sa.Column("value_pattern", sa.String(1000), nullable=True),
        sa.Column("min_match_share", sa.Float(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("validator", sa.String(30), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "catalog_dataset",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("namespace", sa.String(500), nullable=False),
        sa.Column("name", sa.String(1000), nullable=False),
        sa.Column("display_name", sa.String(300), nullable=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("description_source", sa.String(30), nullable=True),
        sa.Column("source_system", sa.String(100), nullable=True),
        sa.Column("origin", sa.String(30), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=True),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("dropped_at", core.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("certification", sa.String(20), nullable=False),
        sa.Column("certified_by", sa.String(200), nullable=True),
        sa.Column("certified_at", core.types.UTCDateTime(), nullable=True),
        sa.Column("certification_note", sa.Text(), nullable=True),
        sa.Column("certification_expires_at", core.types.UTCDateTime(), nullable=True),
        sa.Column("certification_expired", sa.Boolean(), nullable=False),
        sa.Column("replaced_by_id", sa.String(40), nullable=True),
        sa.Column("expected_update_seconds", sa.Integer(), nullable=True),
        sa.Column("last_updated_at", core.types.UTCDateTime(), nullable=True),
        sa.Column("last_update_source", sa.String(30), nullable=True),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("stale_since", core.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("namespace", "name", name="uq_catalog_dataset_ns_name"),
    )
    op.create_index(
        op.f("ix_catalog_dataset_source_system"), "catalog_dataset", ["source_system"], unique=False
    )
    op.create_table(
        "catalog_glossary_term",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(200), nullable=True),
        sa.Column("synonyms", core.types.JSONDoc, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", core.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "catalog_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("ref_namespace", sa.String(500), nullable=False),
        sa.Column("ref_name", sa.String(1000), nullable=False),
        sa.Column("column_name", sa.String(300), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "subject_type", "subject_id", "ref_namespace", "ref_name", "column_name", name="uq_catalog_link"
        ),
    )
    op.create_index("ix_catalog_link_ref", "catalog_link", ["ref_namespace", "ref_name"], unique=False)
    op.create_index(op.f("ix_catalog_link_subject_id"), "catalog_link", ["subject_id"], unique=False)
    op.create_table(
        "catalog_search_doc",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.String(40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("columns", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("owners", sa.Text(), nullable=False),
        sa.Column("source_system", sa.String(100), nullable=False),
        sa.Column("facet_values", sa.Text(), nullable=False),
        sa.Column("certification", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("popularity", sa.Float(), nullable=False),
        sa.Column("boost", sa.Float(), nullable=False),
        sa.Column("document", TSV, nullable=True),
        sa.Column("names_document", TSV, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dataset_id"),
    )
    op.create_index("ix_catalog_search_doc_boost", "catalog_search_doc", ["boost"])
    op.create_index("ix_catalog_search_doc_active", "catalog_search_doc", ["active"])
    op.create_index(
        "ix_catalog_search_doc_document",
        "catalog_search_doc",
        ["document"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_catalog_search_doc_names_document",
        "catalog_search_doc",
        ["names_document"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_table(
        "catalog_search_facet",
        sa.Column("facet", sa.String(30), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("doc_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("facet", "value", "doc_id"),
    )
    op.create_index(op.f("ix_catalog_search_facet_doc_id"), "catalog_search_facet", ["doc_id"], unique=False)
    op.create_table(
        "catalog_search_term",
        sa.Column(
            "term", sa.String(100).with_variant(sa.String(100, collation="C"), "postgresql"), nullable=False
        ),
        sa.Column("doc_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term"),
    )
    op.create_table(
        "catalog_search_trigram",
        sa.Column("trigram", sa.String(12), nullable=False),
        sa.Column("term", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("trigram", "term"),
    )
    op.create_table(
        "catalog_source",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("password_env", sa.String(200), nullable=True),
        sa.Column("dialect", sa.String(30), nullable=False),
        sa.Column("namespace", sa.String(500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(200), nullable=True),
        sa.Column("schemas", core.types.JSONDoc, nullable=False),
        sa.Column("sample_rows", sa.Integer(), nullable=False),
        sa.Column("scan_interval_seconds", sa.Integer(), nullable=True),
        sa.Column("expected_update_seconds", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("last_scan_at", core.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "catalog_column",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("type", sa.String(200), nullable=True),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("description_source", sa.String(30), nullable=True),
        sa.Column("nullable", sa.Boolean(), nullable=True),
        sa.Column("sample", core.types.JSONDoc, nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["catalog_dataset.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dataset_id", "name", name="uq_catalog_column_ds_name"),
    )
    op.create_table(
        "catalog_column_class",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.String(40), nullable=False),
        sa.Column("column_name", sa.String(300), nullable=False),
        sa.Column("pii_class", sa.String(60), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("match_share", sa.Float(), nullable=True),
        sa.Column("from_node", sa.String(1500), nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", core.types.UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["catalog_dataset.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dataset_id", "column_name", "pii_class", name="uq_catalog_column_class"),
    )
    op.create_index(
        op.f("ix_catalog_column_class_dataset_id"), "catalog_column_class", ["dataset_id"], unique=False
    )
    op.create_index(
        op.f("ix_catalog_column_class_pii_class"), "catalog_column_class", ["pii_class"], unique=False
    )
    op.create_table(
        "catalog_dataset_alias",
        sa.Column("namespace", sa.String(500), nullable=False),
        sa.Column("name", sa.String(1000), nullable=False),
        sa.Column("dataset_id", sa.String(40), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["catalog_dataset.id"],
        ),
        sa.PrimaryKeyConstraint("namespace", "name"),
    )
    op.create_index(
        op.f("ix_catalog_dataset_alias_dataset_id"), "catalog_dataset_alias", ["dataset_id"], unique=False
    )
    op.create_table(
        "catalog_metric",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("formula", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(40), nullable=True),
        sa.Column("grain", sa.String(200), nullable=True),
        sa.Column("owner", sa.String(200), nullable=True),
        sa.Column("term_id", sa.String(40), nullable=True),
        sa.Column("pack", sa.String(100), nullable=True),
        sa.Column("certification", sa.String(20), nullable=False),
        sa.Column("certified_by", sa.String(200), nullable=True),
        sa.Column("certified_at", core.types.UTCDateTime(), nullable=True),
        sa.Column("certification_note", sa.Text(), nullable=True),
        sa.Column("certification_expires_at", core.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["term_id"],
            ["catalog_glossary_term.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "catalog_owner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.String(40), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("role", sa.String(60), nullable=False),
        sa.Column("origin", sa.String(30), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["catalog_dataset.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dataset_id", "owner", "role", name="uq_catalog_owner"),
    )
    op.create_index(op.f("ix_catalog_owner_dataset_id"), "catalog_owner", ["dataset_id"], unique=False)
    op.create_index(op.f("ix_catalog_owner_owner"), "catalog_owner", ["owner"], unique=False)
    op.create_table(
        "catalog_scan",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("source_id", sa.String(40), nullable=False),
        sa.Column("run_id", sa.String(40), nullable=False),
        sa.Column("started_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("finished_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("tables", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("dropped", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("suggested_classes", sa.Integer(), nullable=False),
        sa.Column("details", core.types.JSONDoc, nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["catalog_source.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_catalog_scan_source_id"), "catalog_scan", ["source_id"], unique=False)
    op.create_table(
        "catalog_schema_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("columns", core.types.JSONDoc, nullable=False),
        sa.Column("changes", core.types.JSONDoc, nullable=False),
        sa.Column("origin", sa.String(30), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["catalog_dataset.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dataset_id", "version", name="uq_catalog_schema_version"),
    )
    op.create_table(
        "catalog_tag",
        sa.Column("dataset_id", sa.String(40), nullable=False),
        sa.Column("tag", sa.String(100), nullable=False),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.Column("added_at", core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["catalog_dataset.id"],
        ),
        sa.PrimaryKeyConstraint("dataset_id", "tag"),
    )
    op.create_index(op.f("ix_catalog_tag_tag"), "catalog_tag", ["tag"], unique=False)
    op.create_table(
        "catalog_usage_daily",
        sa.Column("dataset_id", sa.String(40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("queries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["catalog_dataset.id"],
        ),
        sa.PrimaryKeyConstraint("dataset_id", "day"),
    )
    op.create_table(
        "catalog_usage_reader",
        sa.Column("dataset_id", sa.String(40), nullable=False),
        sa.Column("reader", sa.String(200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_at", core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["catalog_dataset.id"],
        ),
        sa.PrimaryKeyConstraint("dataset_id", "reader"),
    )

    if op.get_bind().dialect.name == "sqlite":
        op.execute(FTS5)
        op.execute(FTS5_NAMES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS catalog_search_fts_names")
        op.execute("DROP TABLE IF EXISTS catalog_search_fts")
    op.drop_table("catalog_usage_reader")
    op.drop_table("catalog_usage_daily")
    op.drop_table("catalog_tag")
    op.drop_table("catalog_schema_version")
    op.drop_table("catalog_scan")
    op.drop_table("catalog_owner")
    op.drop_table("catalog_metric")
    op.drop_table("catalog_dataset_alias")
    op.drop_table("catalog_column_class")
    op.drop_table("catalog_column")
    op.drop_table("catalog_source")
    op.drop_table("catalog_search_trigram")
    op.drop_table("catalog_search_term")
    op.drop_table("catalog_search_facet")
    op.drop_table("catalog_search_doc")
    op.drop_table("catalog_link")
    op.drop_table("catalog_glossary_term")
    op.drop_table("catalog_dataset")
    op.drop_table("catalog_classification_rule")
    op.drop_table("catalog_certification_event")
