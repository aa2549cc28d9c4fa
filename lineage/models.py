"""Storage rows: the append-only raw event log, and the catalogue side of the derived model.

Everything except `LineageEvent` is derived and can be rebuilt from the events (`lineage.rebuild`).
Names that can be long (dataset paths, job names) are looked up through a 32-hex `key` (a hash of
namespace and name), so unique indexes stay small on both databases.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.types import JSONDoc, UTCDateTime


class LineageEvent(SQLModel, table=True):
    """One OpenLineage event exactly as received; append-only, one row per distinct event."""

    __tablename__ = "lineage_event"
    __table_args__ = (sa.Index("ix_lineage_event_time_seq", "event_time", "seq"),)

    seq: int | None = Field(default=None, primary_key=True)
    # sha256 of the canonical JSON (sorted keys): the identity that makes ingestion idempotent.
    event_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    kind: str = Field(max_length=10)  # run | dataset | job
    event_type: str | None = Field(default=None, max_length=10)
    event_time: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(sa_type=UTCDateTime, index=True)
    run_id: str | None = Field(default=None, max_length=36, index=True)
    job_namespace: str | None = Field(default=None, sa_type=sa.Text)
    job_name: str | None = Field(default=None, sa_type=sa.Text)
    producer: str = Field(sa_type=sa.Text)
    size_bytes: int = Field(default=0)
    # Text, not JSON: the bytes the client meant, cheap to append; parsed again only on rebuild.
    payload: str = Field(sa_type=sa.Text)


class LineagePending(SQLModel, table=True):
    """A stored event whose derivation is still to do (the API answers before deriving, as Marquez does)."""

    __tablename__ = "lineage_pending"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    queued_at: datetime = Field(sa_type=UTCDateTime)
    attempts: int = Field(default=0)
    failed: bool = Field(default=False)  # derivation raised even alone: kept aside, reported, not retried
    error: str | None = Field(default=None, sa_type=sa.Text)


class LineageNamespace(SQLModel, table=True):
    """A namespace seen on a job or dataset."""

    __tablename__ = "lineage_namespace"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=512, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class LineageSource(SQLModel, table=True):
    """A data source named by a `dataSource` facet."""

    __tablename__ = "lineage_source"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=512, sa_column_kwargs={"unique": True})
    uri: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class LineageDataset(SQLModel, table=True):
    """A dataset under its canonical name, with its current schema, facets and lifecycle state."""

    __tablename__ = "lineage_dataset"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=32, sa_column_kwargs={"unique": True})
    namespace: str = Field(sa_type=sa.Text)
    name: str = Field(sa_type=sa.Text)
    source_name: str | None = Field(default=None, sa_type=sa.Text)
    description: str | None = Field(default=None, sa_type=sa.Text)
    fields: list = Field(default_factory=list, sa_type=JSONDoc)
    facets: dict = Field(default_factory=dict, sa_type=JSONDoc)
    # When each current facet was set (event time + event hash), so later events win in any arrival order.
    facet_stamps: dict = Field(default_factory=dict, sa_type=JSONDoc)
    owners: list = Field(default_factory=list, sa_type=JSONDoc)
    current_version: str | None = Field(default=None, max_length=36)
    lifecycle_state: str | None = Field(default=None, max_length=20)
    dropped: bool = Field(default=False)
    dropped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    last_modified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Stamp of the columnLineage facet that defines this dataset's current column edges.
    column_lineage_stamp: str | None = Field(default=None, max_length=100)


class LineageDatasetName(SQLModel, table=True):
    """Every name a dataset is known under: its own, symlinks, and names it had before a rename."""

    __tablename__ = "lineage_dataset_name"

    key: str = Field(max_length=32, primary_key=True)
    namespace: str = Field(sa_type=sa.Text)
    name: str = Field(sa_type=sa.Text)
    dataset_id: int = Field(foreign_key="lineage_dataset.id", index=True)
    kind: str = Field(max_length=20)  # primary | symlink | previous | merged
    link_type: str | None = Field(default=None, max_length=64)


class LineageDatasetVersion(SQLModel, table=True):
    """A version of a dataset: one per run that wrote it, or per static schema declaration."""

    __tablename__ = "lineage_dataset_version"

    id: str = Field(max_length=36, primary_key=True)
    dataset_id: int = Field(foreign_key="lineage_dataset.id", index=True)
    run_id: str | None = Field(default=None, max_length=36, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    fields: list = Field(default_factory=list, sa_type=JSONDoc)
    fields_stamp: str = Field(default="", max_length=100)
    lifecycle_state: str | None = Field(default=None, max_length=20)
    row_count: int | None = Field(default=None, sa_type=sa.BigInteger)


class LineageMeta(SQLModel, table=True):
    """Small facts about the store itself (e.g. that events were purged, so a rebuild is partial)."""

    __tablename__ = "lineage_meta"

    key: str = Field(max_length=64, primary_key=True)
    value: str = Field(sa_type=sa.Text)
