"""Storage rows for datasets: identity, aliases, columns, schema versions, owners and tags."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.types import JSONDoc, UTCDateTime


class CatalogDataset(SQLModel, table=True):
    """A dataset named the OpenLineage way (namespace + name), with its current state."""

    __tablename__ = "catalog_dataset"
    __table_args__ = (sa.UniqueConstraint("namespace", "name", name="uq_catalog_dataset_ns_name"),)

    id: str = Field(primary_key=True, max_length=40)
    namespace: str = Field(max_length=500)
    name: str = Field(max_length=1000)
    display_name: str | None = Field(default=None, max_length=300)
    kind: str = Field(default="table", max_length=30)  # table | view | model | file | stream | metric
    description: str | None = Field(default=None, sa_type=sa.Text)
    # Who wrote the description: a steward's text is never overwritten by a scan or an import.
    description_source: str | None = Field(default=None, max_length=30)
    source_system: str | None = Field(default=None, max_length=100, index=True)
    origin: str = Field(max_length=30)  # openlineage | scan | dbt | manual | concord
    row_count: int | None = Field(default=None, sa_type=sa.BigInteger)
    current_version: int = Field(default=0)
    status: str = Field(default="active", max_length=20)  # active | dropped
    dropped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    # Certification: draft -> certified -> deprecated (history in catalog_certification_event).
    certification: str = Field(default="draft", max_length=20)
    certified_by: str | None = Field(default=None, max_length=200)
    certified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    certification_note: str | None = Field(default=None, sa_type=sa.Text)
    certification_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    certification_expired: bool = Field(default=False)
    replaced_by_id: str | None = Field(default=None, max_length=40)
    # Freshness: last write known from lineage runs or scans, against the expected interval.
    expected_update_seconds: int | None = Field(default=None)
    last_updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_update_source: str | None = Field(default=None, max_length=30)
    stale: bool = Field(default=False)
    stale_since: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CatalogDatasetAlias(SQLModel, table=True):
    """Another name of a dataset (OpenLineage symlinks); resolves to one catalogue entry."""

    __tablename__ = "catalog_dataset_alias"

    namespace: str = Field(primary_key=True, max_length=500)
    name: str = Field(primary_key=True, max_length=1000)
    dataset_id: str = Field(foreign_key="catalog_dataset.id", max_length=40, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class CatalogColumn(SQLModel, table=True):
    """A column of a dataset's current schema, with a bounded value sample from the last scan."""

    __tablename__ = "catalog_column"
    __table_args__ = (sa.UniqueConstraint("dataset_id", "name", name="uq_catalog_column_ds_name"),)

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: str = Field(foreign_key="catalog_dataset.id", max_length=40)
    name: str = Field(max_length=300)
    type: str | None = Field(default=None, max_length=200)
    ordinal: int = Field(default=0)
    description: str | None = Field(default=None, sa_type=sa.Text)
    description_source: str | None = Field(default=None, max_length=30)
    nullable: bool | None = Field(default=None)
    sample: list | None = Field(default=None, sa_type=JSONDoc)  # a few distinct values, as text


class CatalogSchemaVersion(SQLModel, table=True):
    """One version of a dataset's schema: the full column list and what changed from the previous one."""

    __tablename__ = "catalog_schema_version"
    __table_args__ = (sa.UniqueConstraint("dataset_id", "version", name="uq_catalog_schema_version"),)

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: str = Field(foreign_key="catalog_dataset.id", max_length=40)
    version: int
    fingerprint: str = Field(max_length=64)
    columns: list = Field(default_factory=list, sa_type=JSONDoc)  # [{name, type, ordinal}]
    changes: dict = Field(default_factory=dict, sa_type=JSONDoc)  # {added, removed, changed}
    origin: str = Field(max_length=30)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(max_length=200)


class CatalogOwner(SQLModel, table=True):
    """A person (`user:ada`) or team (`team:crm`) owning a dataset in a role."""

    __tablename__ = "catalog_owner"
    __table_args__ = (sa.UniqueConstraint("dataset_id", "owner", "role", name="uq_catalog_owner"),)

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: str = Field(foreign_key="catalog_dataset.id", max_length=40, index=True)
    owner: str = Field(max_length=200, index=True)
    kind: str = Field(max_length=10)  # user | team
    role: str = Field(max_length=60)
    origin: str = Field(max_length=30)  # who set it: a source's owners are replaced by that source only


class CatalogTag(SQLModel, table=True):
    """A free tag on a dataset."""

    __tablename__ = "catalog_tag"

    dataset_id: str = Field(foreign_key="catalog_dataset.id", max_length=40, primary_key=True)
    tag: str = Field(max_length=100, primary_key=True, index=True)
    added_by: str = Field(max_length=200)
    added_at: datetime = Field(sa_type=UTCDateTime)


__all__ = [
    "CatalogColumn",
    "CatalogDataset",
    "CatalogDatasetAlias",
    "CatalogOwner",
    "CatalogSchemaVersion",
    "CatalogTag",
]
