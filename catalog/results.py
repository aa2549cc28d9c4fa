"""Domain results the catalogue's services take and return (never storage rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ColumnSpec:
    """A column as a source describes it; `None` means "not known from this source"."""

    name: str
    type: str | None = None
    description: str | None = None
    ordinal: int | None = None


@dataclass(frozen=True)
class RegisteredDataset:
    """What `register_dataset` did: `new_version` is the schema version it created, if any."""

    id: str
    namespace: str
    name: str
    created: bool
    new_version: int | None


@dataclass(frozen=True)
class Owner:
    """An owner of a dataset: `name` is `user:ada` or `team:crm`, `kind` user or team, `role` e.g. steward."""

    name: str
    kind: str
    role: str


@dataclass(frozen=True)
class DatasetSummary:
    """A dataset's identity and current state, as listings and other packages need it."""

    id: str
    namespace: str
    name: str
    display_name: str | None
    kind: str
    description: str | None
    source_system: str | None
    origin: str
    status: str
    certification: str
    certification_expired: bool
    row_count: int | None
    current_version: int
    last_updated_at: datetime | None
    stale: bool
    created_at: datetime
    updated_at: datetime

    @property
    def node_id(self) -> str:
        """The dataset's Marquez-style lineage node id."""
        return f"dataset:{self.namespace}:{self.name}"


@dataclass(frozen=True)
class ColumnInfo:
    """A column of a dataset's current schema with its classes (`sample` already masked if needed)."""

    name: str
    type: str | None
    ordinal: int
    description: str | None
    nullable: bool | None
    classes: list[ColumnClassInfo] = field(default_factory=list)
    sample: list[str] | None = None
    sample_masked: bool = False


@dataclass(frozen=True)
class ColumnClassInfo:
    """A PII class on a column and where it stands."""

    id: int
    dataset_id: str
    column: str
    pii_class: str
    status: str
    source: str
    confidence: float | None
    match_share: float | None
    from_node: str | None
    decided_by: str | None
    decided_at: datetime | None
    note: str | None


@dataclass(frozen=True)
class SchemaVersionInfo:
    """One schema version: its columns and what changed from the version before."""

    version: int
    columns: list[dict]
    changes: dict
    origin: str
    created_at: datetime
    created_by: str
