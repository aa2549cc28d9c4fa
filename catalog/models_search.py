"""Storage rows of the search index: derived from the catalogue, rebuildable at any time.

SQLite adds an FTS5 table over `catalog_search_doc` (external content, created by the migration);
PostgreSQL keeps a weighted tsvector in `document` with a GIN index.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field, SQLModel

# Vocabulary words compare byte-wise on both databases, so a prefix is an index range scan.
TermText = sa.String(100).with_variant(sa.String(100, collation="C"), "postgresql")
# tsvector on PostgreSQL; an unused text column on SQLite (FTS5 holds the index there).
TsVector = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")


class CatalogSearchDoc(SQLModel, table=True):
    """One dataset as a search document: its text fields, facet values and ranking signals."""

    __tablename__ = "catalog_search_doc"
    __table_args__ = (
        sa.Index("ix_catalog_search_doc_document", "document", postgresql_using="gin"),
        sa.Index("ix_catalog_search_doc_names_document", "names_document", postgresql_using="gin"),
        sa.Index("ix_catalog_search_doc_boost", "boost"),
        sa.Index("ix_catalog_search_doc_active", "active"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: str = Field(max_length=40, sa_column_kwargs={"unique": True})
    name: str = Field(default="", sa_type=sa.Text)
    title: str = Field(default="", sa_type=sa.Text)
    description: str = Field(default="", sa_type=sa.Text)
    columns: str = Field(default="", sa_type=sa.Text)
    tags: str = Field(default="", sa_type=sa.Text)
    terms: str = Field(default="", sa_type=sa.Text)
    owners: str = Field(default="", sa_type=sa.Text)
    source_system: str = Field(default="", max_length=100)
    # The doc's facet values as "facet<TAB>value" lines: counting them needs no join.
    facet_values: str = Field(default="", sa_type=sa.Text)
    certification: str = Field(default="draft", max_length=20)
    active: bool = Field(default=True)
    stale: bool = Field(default=False)
    popularity: float = Field(default=0.0)
    boost: float = Field(default=1.0)
    document: str | None = Field(default=None, sa_type=TsVector)
    names_document: str | None = Field(default=None, sa_type=TsVector)


class CatalogSearchFacet(SQLModel, table=True):
    """A facet value of a search document (source system, classification, certification, owner, tag)."""

    __tablename__ = "catalog_search_facet"

    facet: str = Field(max_length=30, primary_key=True)
    value: str = Field(max_length=200, primary_key=True)
    doc_id: int = Field(primary_key=True, index=True)


class CatalogSearchTerm(SQLModel, table=True):
    """A word of the search vocabulary and how many documents contain it (for suggestions)."""

    __tablename__ = "catalog_search_term"

    term: str = Field(primary_key=True, sa_type=TermText)
    doc_count: int = Field(default=0)


class CatalogSearchTrigram(SQLModel, table=True):
    """Trigrams of vocabulary words, for typo-tolerant suggestions on both databases."""

    __tablename__ = "catalog_search_trigram"

    trigram: str = Field(max_length=12, primary_key=True)
    term: str = Field(max_length=100, primary_key=True)


__all__ = ["CatalogSearchDoc", "CatalogSearchFacet", "CatalogSearchTerm", "CatalogSearchTrigram"]
