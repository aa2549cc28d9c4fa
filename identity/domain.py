"""Domain types of identity: what callers pass in and get back (separate from storage rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class SourceRecordIn:
    """One customer record as a source system holds it."""

    source_system: str
    source_key: str
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    region: str | None = None
    country: str | None = None
    jurisdiction: str | None = None
    observed_at: datetime | None = None


@dataclass(frozen=True)
class Rejected:
    """A value left out of a lenient load (`on_invalid="drop"`), with where it was and why."""

    index: int
    source_key: str
    field: str
    message: str


@dataclass
class UpsertResult:
    """Counts of an upsert and the customer each record now belongs to."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    stale: int = 0
    new_customers: int = 0
    split: int = 0
    keys: dict[tuple[str, str], str] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)


@dataclass(frozen=True)
class ContactPoint:
    """A normalised contact point of a customer and the sources that gave it (`system:key` or `system`)."""

    kind: str
    value: str
    sources: list[str]
    first_seen_at: datetime | None = None


@dataclass(frozen=True)
class SourceRecordSummary:
    """One source record of a customer (its lineage), with the fields of its current version."""

    source_system: str
    source_key: str
    observed_at: datetime | None
    version: int = 1
    first_name: str | None = None
    last_name: str | None = None
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    region: str | None = None
    country: str | None = None
    jurisdiction: str | None = None
    pinned: bool = False


@dataclass(frozen=True)
class Link:
    """A match link: records `a` and `b` (as `system:key`) share `value` of `kind` under `rule`."""

    a: str
    b: str
    rule: str
    kind: str
    value: str
    rules_version: str


@dataclass
class Customer:
    """The unified customer (360): survivor id, merged ids, profile, contact points and source records."""

    id: str
    requested_id: str
    merged_ids: list[str]
    first_name: str | None
    last_name: str | None
    jurisdiction: str | None
    country: str | None
    contact_points: list[ContactPoint]
    source_records: list[SourceRecordSummary]
    region: str | None = None
    jurisdiction_basis: str | None = None
    jurisdiction_from: str | None = None
    origin: str = "match"
    created_at: datetime | None = None
    links: list[Link] = field(default_factory=list)


@dataclass
class CrosswalkResult:
    """Counts of a crosswalk import."""

    rows: int = 0
    assigned: int = 0
    unchanged: int = 0
    pending: int = 0  # rows whose source record has not arrived yet; applied when it does
    customers_created: int = 0
    merged: int = 0


@dataclass
class RebuildResult:
    """What a full rebuild found and changed."""

    records: int = 0
    customers: int = 0
    links: int = 0
    merged: int = 0
    new_customers: int = 0
    split: int = 0
    moved_records: int = 0
    rules_version: str = ""


@dataclass(frozen=True)
class Explanation:
    """Why two source records are one customer: the chain of links between them (empty if they are not)."""

    a: str
    b: str
    same_customer: bool
    customer_id: str | None
    path: list[Link]
