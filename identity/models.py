"""Storage rows owned by identity: source records and their versions, contact points, customers, links."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.types import JSONDoc, UTCDateTime


class IdentityState(SQLModel, table=True):
    """The single row that serialises identity writers, counts customer creation and holds the rules."""

    __tablename__ = "id_state"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    next_seq: int = Field(default=1)
    rules: dict | None = Field(default=None, sa_type=JSONDoc)
    rules_version: str | None = Field(default=None, max_length=80)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class CustomerRow(SQLModel, table=True):
    """A customer id ever issued; merged ones keep their row and point at their survivor."""

    __tablename__ = "id_customer"

    id: str = Field(primary_key=True, max_length=64)
    seq: int = Field(sa_column_kwargs={"unique": True})  # creation order: the older id survives a merge
    status: str = Field(default="active", max_length=10)  # active | merged
    origin: str = Field(default="match", max_length=12)  # match | crosswalk
    first_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    country: str | None = Field(default=None, max_length=2)
    region: str | None = Field(default=None, max_length=3)
    jurisdiction: str | None = Field(default=None, max_length=8)
    jurisdiction_basis: str | None = Field(default=None, max_length=16)  # explicit | country | country_region
    jurisdiction_from: str | None = Field(default=None, max_length=250)  # the source record it came from
    record_count: int = Field(default=0)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Redirect(SQLModel, table=True):
    """A merged customer id and its survivor; chains are collapsed so one hop always suffices."""

    __tablename__ = "id_redirect"

    from_id: str = Field(primary_key=True, max_length=64)
    to_id: str = Field(max_length=64, index=True)
    merged_at: datetime = Field(sa_type=UTCDateTime)
    reason: dict = Field(default_factory=dict, sa_type=JSONDoc)


class SourceRecord(SQLModel, table=True):
    """The current version of one record of a source system, and the customer it belongs to."""

    __tablename__ = "id_source_record"
    __table_args__ = (sa.UniqueConstraint("source_system", "source_key", name="uq_id_source_record_key"),)

    id: int | None = Field(default=None, primary_key=True)
    source_system: str = Field(max_length=40)
    source_key: str = Field(max_length=200)
    customer_id: str | None = Field(default=None, max_length=64, index=True)
    pinned_to: str | None = Field(default=None, max_length=64)  # customer id given by an imported crosswalk
    version: int = Field(default=1)  # the version that is current
    last_version: int = Field(default=1)  # the highest version in the history (late ones included)
    content_hash: str = Field(max_length=64)
    first_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    first_key: str = Field(default="", max_length=200)
    last_key: str = Field(default="", max_length=200)
    street: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=200)
    postal_code: str | None = Field(default=None, max_length=20)
    region: str | None = Field(default=None, max_length=3)
    country: str | None = Field(default=None, max_length=2)
    jurisdiction: str | None = Field(default=None, max_length=8)
    observed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class SourceRecordVersion(SQLModel, table=True):
    """Append-only history: every distinct content a source record has had, as it was received."""

    __tablename__ = "id_source_record_version"
    __table_args__ = (sa.UniqueConstraint("record_id", "version", name="uq_id_source_record_version"),)

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="id_source_record.id", index=True)
    version: int
    content_hash: str = Field(max_length=64)
    payload: dict = Field(default_factory=dict, sa_type=JSONDoc)
    applied: bool = Field(default=True)  # False when it arrived after a newer observation (stale)
    observed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    recorded_by: str = Field(max_length=200)


class ContactPointRow(SQLModel, table=True):
    """A normalised email, phone or postal key, from a source record or attached to a customer."""

    __tablename__ = "id_contact_point"
    __table_args__ = (sa.Index("ix_id_contact_point_lookup", "kind", "value", "customer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    value: str = Field(max_length=320)
    customer_id: str | None = Field(default=None, max_length=64, index=True)
    record_id: int | None = Field(default=None, foreign_key="id_source_record.id", index=True)
    source: str = Field(max_length=40)
    origin: str = Field(default="record", max_length=10)  # record | attached
    raw: str = Field(max_length=400)
    first_seen_at: datetime = Field(sa_type=UTCDateTime)


class MatchLink(SQLModel, table=True):
    """Why two source records are one customer: the rule and the shared value that linked them."""

    __tablename__ = "id_match_link"
    __table_args__ = (sa.Index("ix_id_match_link_value", "kind", "value"),)

    id: int | None = Field(default=None, primary_key=True)
    record_a: int = Field(index=True)
    record_b: int = Field(index=True)
    rule: str = Field(max_length=80)
    kind: str = Field(max_length=10)
    value: str = Field(max_length=320)
    rules_version: str = Field(max_length=80)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Crosswalk(SQLModel, table=True):
    """An external MDM's assignment of a source record to a customer id (instead of matching)."""

    __tablename__ = "id_crosswalk"

    source_system: str = Field(primary_key=True, max_length=40)
    source_key: str = Field(primary_key=True, max_length=200)
    customer_id: str = Field(max_length=64, index=True)
    imported_at: datetime = Field(sa_type=UTCDateTime)
    imported_by: str = Field(max_length=200)


# Core tables for bulk statements, short because the queries that use them are long.
SR = SourceRecord.__table__
VER = SourceRecordVersion.__table__
CP = ContactPointRow.__table__
CUS = CustomerRow.__table__
RED = Redirect.__table__
LINK = MatchLink.__table__
XW = Crosswalk.__table__

__all__ = [
    "CP",
    "CUS",
    "LINK",
    "RED",
    "SR",
    "VER",
    "XW",
    "ContactPointRow",
    "Crosswalk",
    "CustomerRow",
    "IdentityState",
    "MatchLink",
    "Redirect",
    "SourceRecord",
    "SourceRecordVersion",
]
