"""Storage rows owned by consent: append-only facts, policy versions, unified decisions, pull cursors."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.types import JSONDoc, UTCDateTime


class FactBase(SQLModel):
    """Columns every fact has: who sent it under which id, what it says (hashed), when it arrived."""

    seq: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40)
    source_id: str = Field(max_length=200)
    content_hash: str = Field(max_length=64)
    received_at: datetime = Field(sa_type=UTCDateTime)
    ingested_at: datetime = Field(sa_type=UTCDateTime)
    ingested_by: str = Field(max_length=200)


class SubjectMixin(SQLModel):
    """The person a fact is about: a Concord customer id or a `system:key` source key (or nobody)."""

    subject_kind: str | None = Field(default=None, max_length=12)  # customer | source_key
    subject: str | None = Field(default=None, max_length=250, index=True)


class ConsentRecordRow(FactBase, SubjectMixin, table=True):
    """A consent record as a source system sent it."""

    __tablename__ = "consent_record"
    __table_args__ = (sa.UniqueConstraint("source", "source_id", name="uq_consent_record_source_id"),)

    channel: str | None = Field(default=None, max_length=20)
    purpose: str = Field(max_length=80)
    status: str = Field(max_length=12)
    method: str = Field(max_length=40)
    scope: str = Field(max_length=14)
    contact_kind: str | None = Field(default=None, max_length=10)
    contact_point: str | None = Field(default=None, max_length=320, index=True)
    captured_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    jurisdiction: str | None = Field(default=None, max_length=8)
    evidence: dict | None = Field(default=None, sa_type=JSONDoc)


class SuppressionRow(FactBase, SubjectMixin, table=True):
    """An entry on a suppression list (spam complaint, hard bounce, do-not-solicit...)."""

    __tablename__ = "consent_suppression"
    __table_args__ = (sa.UniqueConstraint("source", "source_id", name="uq_consent_suppression_source_id"),)

    list: str = Field(max_length=40)
    contact_kind: str | None = Field(default=None, max_length=10)
    contact_point: str | None = Field(default=None, max_length=320, index=True)
    captured_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DncRequestRow(FactBase, SubjectMixin, table=True):
    """A company-specific do-not-call / do-not-text request."""

    __tablename__ = "consent_dnc_request"
    __table_args__ = (sa.UniqueConstraint("source", "source_id", name="uq_consent_dnc_request_source_id"),)

    phone: str | None = Field(default=None, max_length=20, index=True)
    channel: str = Field(max_length=20)
    captured_at: datetime = Field(sa_type=UTCDateTime)


class GpcSignalRow(FactBase, SubjectMixin, table=True):
    """A Global Privacy Control signal observed for a person."""

    __tablename__ = "consent_gpc_signal"
    __table_args__ = (sa.UniqueConstraint("source", "source_id", name="uq_consent_gpc_signal_source_id"),)

    observed_at: datetime = Field(sa_type=UTCDateTime)


class RelationshipRow(FactBase, SubjectMixin, table=True):
    """A purchase or inquiry (EBR, CASL implied consent, UK soft opt-in)."""

    __tablename__ = "consent_relationship"
    __table_args__ = (sa.UniqueConstraint("source", "source_id", name="uq_consent_relationship_source_id"),)

    kind: str = Field(max_length=12)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    soft_opt_in_notice_given: bool = Field(default=False)


class RegistrySnapshotRow(FactBase, table=True):
    """A national do-not-call registry snapshot (its numbers are in consent_registry_number)."""

    __tablename__ = "consent_registry_snapshot"
    __table_args__ = (
        sa.UniqueConstraint("source", "source_id", name="uq_consent_registry_snapshot_source_id"),
    )

    registry_name: str = Field(max_length=40)
    downloaded_at: datetime = Field(sa_type=UTCDateTime)
    number_count: int = Field(default=0)


class RegistryNumberRow(SQLModel, table=True):
    """One number listed in one registry snapshot."""

    __tablename__ = "consent_registry_number"

    snapshot_seq: int = Field(foreign_key="consent_registry_snapshot.seq", primary_key=True)
    phone: str = Field(max_length=20, primary_key=True, index=True)


class PolicyRow(SQLModel, table=True):
    """A stored policy version: its YAML text exactly as uploaded, checksum, who/when, active or not."""

    __tablename__ = "consent_policy"

    version: str = Field(primary_key=True, max_length=80)
    yaml_text: str = Field(sa_type=sa.Text)
    checksum: str = Field(max_length=64)
    description: str = Field(default="", sa_type=sa.Text)
    uploaded_at: datetime = Field(sa_type=UTCDateTime)
    uploaded_by: str = Field(max_length=200)
    active: bool = Field(default=False)
    activated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    activated_by: str | None = Field(default=None, max_length=200)


class DecisionRow(SQLModel, table=True):
    """The unified decision per customer x channel x purpose x contact point ('' when there is none)."""

    __tablename__ = "consent_decision"
    # On SQLite the rows live in primary-key order: a customer's decisions sit together, one B-tree probe.
    __table_args__ = {"sqlite_with_rowid": False}

    customer_id: str = Field(primary_key=True, max_length=64)
    channel: str = Field(primary_key=True, max_length=20)
    purpose: str = Field(primary_key=True, max_length=80)
    contact_point: str = Field(primary_key=True, max_length=320)
    ordinal: int = Field(default=0)
    allowed: bool
    reason: str = Field(max_length=30)
    decided_by_kind: str | None = Field(default=None, max_length=20)
    decided_by_id: str | None = Field(default=None, max_length=200)
    decided_by_source: str | None = Field(default=None, max_length=40)
    policy_version: str = Field(max_length=80)
    evaluated_at: datetime = Field(sa_type=UTCDateTime)
    valid_until: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    rule: str | None = Field(default=None, max_length=160)


class PullStateRow(SQLModel, table=True):
    """How far a source table has been pulled (its cursor column's highest value so far)."""

    __tablename__ = "consent_pull_state"

    source: str = Field(primary_key=True, max_length=40)
    table_name: str = Field(primary_key=True, max_length=80)
    cursor: str | None = Field(default=None, max_length=64)
    rows: int = Field(default=0)
    pulled_at: datetime = Field(sa_type=UTCDateTime)


__all__ = [
    "ConsentRecordRow",
    "DecisionRow",
    "DncRequestRow",
    "GpcSignalRow",
    "PolicyRow",
    "PullStateRow",
    "RegistryNumberRow",
    "RegistrySnapshotRow",
    "RelationshipRow",
    "SuppressionRow",
]
