"""Storage rows of segment exports: the export record (kept after its files expire) and its members."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.types import JSONDoc, UTCDateTime


class ExportRow(SQLModel, table=True):
    """One segment export: what was asked, by whom, how far it got, and what it published."""

    __tablename__ = "consent_export"

    id: str = Field(primary_key=True, max_length=40)
    state: str = Field(max_length=10)  # queued | running | done | failed
    requested_by: str = Field(max_length=200)
    requested_at: datetime = Field(sa_type=UTCDateTime, index=True)
    heartbeat_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    channel: str = Field(max_length=20)
    purpose: str = Field(max_length=80)
    jurisdictions: list | None = Field(default=None, sa_type=JSONDoc)
    campaign: str = Field(default="", max_length=200)
    input_name: str = Field(default="", max_length=300)
    input_format: str = Field(max_length=10)  # csv | jsonl | json
    subject_column: str = Field(max_length=40)
    subject_kind: str | None = Field(default=None, max_length=12)
    policy_version: str | None = Field(default=None, max_length=80)
    as_of: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rows_total: int = Field(default=0)
    rows_done: int = Field(default=0)
    output_rows: int = Field(default=0)
    excluded_rows: int = Field(default=0)
    reasons: dict | None = Field(default=None, sa_type=JSONDoc)  # reason code -> count
    checksum: str | None = Field(default=None, max_length=64)  # sha256 of the compliant CSV
    directory: str = Field(max_length=500)
    retention_expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    files_deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message: str = Field(default="", sa_type=sa.Text)


class ExportMemberRow(SQLModel, table=True):
    """A customer an export resolved: included (with the contact point to use) or excluded, and on what basis."""

    __tablename__ = "consent_export_member"
    __table_args__ = (sa.Index("ix_consent_export_member_customer", "customer_id", "export_id"),)

    export_id: str = Field(primary_key=True, max_length=40)
    customer_id: str = Field(primary_key=True, max_length=64)
    subject: str = Field(max_length=330)  # the first subject that named the customer (`kind:value`)
    included: bool
    contact_point: str | None = Field(default=None, max_length=320)
    reason: str = Field(max_length=30)
    decided_by_kind: str | None = Field(default=None, max_length=20)
    decided_by_id: str | None = Field(default=None, max_length=200)
    decided_by_source: str | None = Field(default=None, max_length=40)


__all__ = ["ExportMemberRow", "ExportRow"]
