"""Storage rows for governance: classification, certification history, glossary terms and metrics."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.types import JSONDoc, UTCDateTime


class CatalogClassificationRule(SQLModel, table=True):
    """A custom classification rule (built-in rules live in code); column regex + value regex + share."""

    __tablename__ = "catalog_classification_rule"

    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=100, sa_column_kwargs={"unique": True})
    pii_class: str = Field(max_length=60)
    description: str = Field(default="", sa_type=sa.Text)
    column_pattern: str | None = Field(default=None, max_length=1000)
    value_pattern: str | None = Field(default=None, max_length=1000)
    min_match_share: float = Field(default=0.6)
    confidence: float = Field(default=0.8)
    validator: str | None = Field(default=None, max_length=30)
    enabled: bool = Field(default=True)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)


class CatalogColumnClass(SQLModel, table=True):
    """A PII class on a column: suggested by a rule or lineage, confirmed or rejected by a steward.

    A rejected row is kept for good: it is what stops the class from being suggested again.
    """

    __tablename__ = "catalog_column_class"
    __table_args__ = (
        sa.UniqueConstraint("dataset_id", "column_name", "pii_class", name="uq_catalog_column_class"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: str = Field(foreign_key="catalog_dataset.id", max_length=40, index=True)
    column_name: str = Field(max_length=300)
    pii_class: str = Field(max_length=60, index=True)
    status: str = Field(max_length=20)  # suggested | confirmed | rejected
    source: str = Field(max_length=120)  # rule:<name> | propagated | steward
    confidence: float | None = Field(default=None)
    match_share: float | None = Field(default=None)
    from_node: str | None = Field(default=None, max_length=1500)
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class CatalogCertificationEvent(SQLModel, table=True):
    """Append-only history of a dataset's or metric's certification changes."""

    __tablename__ = "catalog_certification_event"

    id: int | None = Field(default=None, primary_key=True)
    subject_type: str = Field(max_length=20)  # dataset | metric
    subject_id: str = Field(max_length=40, index=True)
    action: str = Field(max_length=20)  # certify | deprecate | draft | expire
    status: str = Field(max_length=20)  # the state after the change
    by: str = Field(max_length=200)
    at: datetime = Field(sa_type=UTCDateTime)
    note: str | None = Field(default=None, sa_type=sa.Text)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    replacement_id: str | None = Field(default=None, max_length=40)


class CatalogGlossaryTerm(SQLModel, table=True):
    """A business term with its definition and owner."""

    __tablename__ = "catalog_glossary_term"

    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200, sa_column_kwargs={"unique": True})
    definition: str = Field(sa_type=sa.Text)
    owner: str | None = Field(default=None, max_length=200)
    synonyms: list = Field(default_factory=list, sa_type=JSONDoc)
    status: str = Field(default="draft", max_length=20)  # draft | approved | deprecated
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class CatalogMetric(SQLModel, table=True):
    """A certified business metric (customer 360): definition, formula, owner, certification."""

    __tablename__ = "catalog_metric"

    id: str = Field(primary_key=True, max_length=40)
    key: str = Field(max_length=100, sa_column_kwargs={"unique": True})
    name: str = Field(max_length=200)
    definition: str = Field(sa_type=sa.Text)
    formula: str = Field(sa_type=sa.Text)
    unit: str | None = Field(default=None, max_length=40)
    grain: str | None = Field(default=None, max_length=200)
    owner: str | None = Field(default=None, max_length=200)
    term_id: str | None = Field(default=None, foreign_key="catalog_glossary_term.id", max_length=40)
    pack: str | None = Field(default=None, max_length=100)
    certification: str = Field(default="draft", max_length=20)
    certified_by: str | None = Field(default=None, max_length=200)
    certified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    certification_note: str | None = Field(default=None, sa_type=sa.Text)
    certification_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class CatalogLink(SQLModel, table=True):
    """A glossary term or metric linked to a dataset (and optionally a column).

    The dataset is named as written (namespace + name, or source system + name) and resolved when read,
    so a metric pack can be loaded before its source systems are scanned.
    """

    __tablename__ = "catalog_link"
    __table_args__ = (
        sa.UniqueConstraint(
            "subject_type", "subject_id", "ref_namespace", "ref_name", "column_name", name="uq_catalog_link"
        ),
        sa.Index("ix_catalog_link_ref", "ref_namespace", "ref_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject_type: str = Field(max_length=20)  # term | metric
    subject_id: str = Field(max_length=40, index=True)
    # `ref_namespace` is an OpenLineage namespace, or `source:<system>` for a source system's dataset.
    ref_namespace: str = Field(max_length=500)
    ref_name: str = Field(max_length=1000)
    column_name: str = Field(default="", max_length=300)
    created_at: datetime = Field(sa_type=UTCDateTime)


__all__ = [
    "CatalogCertificationEvent",
    "CatalogClassificationRule",
    "CatalogColumnClass",
    "CatalogGlossaryTerm",
    "CatalogLink",
    "CatalogMetric",
]
