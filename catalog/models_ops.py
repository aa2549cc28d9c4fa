"""Storage rows for operations: registered source systems, completed scans and usage counts."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.types import JSONDoc, UTCDateTime


class CatalogSource(SQLModel, table=True):
    """A source system registered by SQLAlchemy URL; its password is never shown.

    `url` keeps an inline password when one was given; `password_env` names an environment variable
    holding it instead (preferred: the secret then never reaches the catalogue database).
    """

    __tablename__ = "catalog_source"

    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=100, sa_column_kwargs={"unique": True})
    url: str = Field(max_length=2000)
    password_env: str | None = Field(default=None, max_length=200)
    dialect: str = Field(max_length=30)
    namespace: str = Field(max_length=500)
    description: str | None = Field(default=None, sa_type=sa.Text)
    owner: str | None = Field(default=None, max_length=200)
    schemas: list = Field(default_factory=list, sa_type=JSONDoc)  # PostgreSQL schemas to scan
    sample_rows: int = Field(default=100)
    scan_interval_seconds: int | None = Field(default=None)
    expected_update_seconds: int | None = Field(default=None)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_scan_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CatalogScan(SQLModel, table=True):
    """A completed scan of a source (failed scans change nothing and are reported to the caller)."""

    __tablename__ = "catalog_scan"

    id: str = Field(primary_key=True, max_length=40)
    source_id: str = Field(foreign_key="catalog_source.id", max_length=40, index=True)
    run_id: str = Field(max_length=40)
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime = Field(sa_type=UTCDateTime)
    tables: int = Field(default=0)
    added: int = Field(default=0)
    changed: int = Field(default=0)
    dropped: int = Field(default=0)
    unchanged: int = Field(default=0)
    suggested_classes: int = Field(default=0)
    details: dict = Field(default_factory=dict, sa_type=JSONDoc)
    by: str = Field(max_length=200)


class CatalogUsageDaily(SQLModel, table=True):
    """Views and queries of a dataset per day."""

    __tablename__ = "catalog_usage_daily"

    dataset_id: str = Field(foreign_key="catalog_dataset.id", max_length=40, primary_key=True)
    day: date = Field(primary_key=True)
    views: int = Field(default=0)
    queries: int = Field(default=0)


class CatalogUsageReader(SQLModel, table=True):
    """Who uses a dataset and how often (views + queries)."""

    __tablename__ = "catalog_usage_reader"

    dataset_id: str = Field(foreign_key="catalog_dataset.id", max_length=40, primary_key=True)
    reader: str = Field(max_length=200, primary_key=True)
    count: int = Field(default=0)
    last_at: datetime = Field(sa_type=UTCDateTime)


__all__ = ["CatalogScan", "CatalogSource", "CatalogUsageDaily", "CatalogUsageReader"]


class CatalogScanJob(SQLModel, table=True):
    """A scan started from a page and run in the background: its progress and outcome, for any process."""

    __tablename__ = "catalog_scan_job"

    id: str = Field(primary_key=True, max_length=40)
    source_name: str = Field(max_length=100, index=True)
    state: str = Field(max_length=20)  # running | done | failed
    tables_done: int = Field(default=0)
    tables_total: int | None = Field(default=None)
    message: str | None = Field(default=None, max_length=2000)
    scan_id: str | None = Field(default=None, max_length=40)
    added: int = Field(default=0)
    changed: int = Field(default=0)
    dropped: int = Field(default=0)
    requested_by: str = Field(max_length=200)
    requested_at: datetime = Field(sa_type=UTCDateTime)
    heartbeat_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
