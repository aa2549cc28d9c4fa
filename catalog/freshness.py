"""Freshness: each dataset's expected update interval against its last known write (lineage or scan)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from catalog.models import CatalogDataset, CatalogDatasetAlias
from catalog.registry import apply_update, get_row, validate_name
from catalog.search.index import reindex
from core import audit, clock
from core.audit import SYSTEM, Actor
from core.errors import InvalidInput

CHUNK = 400  # (namespace, name) pairs per IN-list: two parameters each

MIN_INTERVAL = 60
MAX_INTERVAL = 366 * 86400


@dataclass(frozen=True)
class Freshness:
    """When a dataset was last written, how often it should be, and whether it is overdue."""

    expected_update_seconds: int | None
    last_updated_at: datetime | None
    last_update_source: str | None
    due_at: datetime | None
    stale: bool
    stale_since: datetime | None


def freshness(session: Session, *, dataset_id: str) -> Freshness:
    """A dataset's freshness."""
    row = get_row(session, dataset_id)
    due = None
    if row.expected_update_seconds and row.last_updated_at:
        due = row.last_updated_at + timedelta(seconds=row.expected_update_seconds)
    return Freshness(
        row.expected_update_seconds,
        row.last_updated_at,
        row.last_update_source,
        due,
        row.stale,
        row.stale_since,
    )


def set_expected_interval(
    session: Session, *, dataset_id: str, seconds: int | None, actor: Actor
) -> Freshness:
    """Set (or with None, clear) how often the dataset is expected to be written."""
    if seconds is not None and (
        isinstance(seconds, bool)
        or not isinstance(seconds, int)
        or not MIN_INTERVAL <= seconds <= MAX_INTERVAL
    ):
        raise InvalidInput(
            f"expected_update_seconds must be from {MIN_INTERVAL} to {MAX_INTERVAL}",
            field="expected_update_seconds",
        )
    row = get_row(session, dataset_id)
    row.expected_update_seconds = seconds
    if seconds is None and row.stale:
        row.stale, row.stale_since = False, None
    session.add(row)
    audit.record(session, actor, "dataset.freshness", "dataset", row.id, {"expected_update_seconds": seconds})
    reindex(session, [row.id])
    session.commit()
    return freshness(session, dataset_id=dataset_id)


def _overdue(row: CatalogDataset, now: datetime) -> bool:
    if row.last_updated_at is None:
        return row.created_at + timedelta(seconds=row.expected_update_seconds) < now
    return row.last_updated_at + timedelta(seconds=row.expected_update_seconds) < now


def flag_stale_datasets(session: Session, now: datetime | None = None) -> list[str]:
    """Flag active datasets not written within their expected interval (the scheduled job); returns their ids."""
    now = clock.as_utc(now or clock.now())
    candidates = session.exec(
        select(CatalogDataset).where(
            CatalogDataset.status == "active",
            CatalogDataset.expected_update_seconds.is_not(None),
            CatalogDataset.stale == False,  # noqa: E712 - SQL comparison
        )
    ).all()
    flagged = [row for row in candidates if _overdue(row, now)]
    for row in flagged:
        row.stale, row.stale_since = True, now
        session.add(row)
    if flagged:
        ids = [r.id for r in flagged]
        audit.record(
            session, SYSTEM, "dataset.stale", "dataset", "*", {"datasets": ids, "at": clock.iso(now)}
        )
        reindex(session, ids)
    session.commit()
    return [r.id for r in flagged]


@dataclass(frozen=True)
class SourceFreshness:
    """Active datasets of one source system: how many are stale, fresh, or have no expected interval."""

    source_system: str
    stale: int
    fresh: int
    unmonitored: int


@dataclass(frozen=True)
class StaleDataset:
    """A stale dataset for the list: which, since when, last written."""

    id: str
    name: str
    display_name: str | None
    source_system: str | None
    stale_since: datetime | None
    last_updated_at: datetime | None
    expected_update_seconds: int | None


def freshness_summary(
    session: Session, *, limit: int = 20
) -> tuple[list[SourceFreshness], list[StaleDataset]]:
    """Stale/fresh counts of active datasets per source system, and the longest-stale datasets."""
    d = CatalogDataset.__table__.c
    monitored = d.expected_update_seconds.is_not(None)
    rows = session.execute(
        sa.select(
            d.source_system,
            sa.func.sum(sa.case((sa.and_(monitored, d.stale), 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(monitored, sa.not_(d.stale)), 1), else_=0)),
            sa.func.sum(sa.case((monitored, 0), else_=1)),
        )
        .where(d.status == "active")
        .group_by(d.source_system)
    )
    counts = sorted(
        (SourceFreshness(s or "(none)", int(a or 0), int(b or 0), int(c or 0)) for s, a, b, c in rows),
        key=lambda c: c.source_system,
    )
    stale = session.execute(
        sa.select(
            d.id, d.name, d.display_name, d.source_system, d.stale_since, d.last_updated_at,
            d.expected_update_seconds,
        )
        .where(d.status == "active", d.stale)
        .order_by(d.stale_since, d.name)
        .limit(limit)
    )  # fmt: skip
    return counts, [StaleDataset(*r) for r in stale]


@dataclass(frozen=True)
class Update:
    """One write to record: the dataset (namespace, name), when, and the row count if known."""

    namespace: str
    name: str
    at: datetime
    row_count: int | None = None


def record_updates(session: Session, updates: Sequence[Update], *, source: str = "lineage") -> list[Update]:
    """`record_update` for many datasets, found in a few queries; returns those unknown to the catalogue."""
    wanted: dict[tuple[str, str], list[Update]] = {}
    unknown = []
    for update in updates:
        try:
            wanted.setdefault(validate_name(update.namespace, update.name), []).append(update)
        except InvalidInput:
            unknown.append(update)
    rows = _resolve_many(session, list(wanted))
    for key, batch in wanted.items():
        row = rows.get(key)
        for update in batch:
            if row is None:
                unknown.append(update)
            else:
                apply_update(session, row, update.at, update.row_count, source)
    return unknown


def _resolve_many(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], CatalogDataset]:
    # As registry.resolve, for many names: own names first, then aliases.
    found: dict[tuple[str, str], CatalogDataset] = {}
    for start in range(0, len(keys), CHUNK):
        batch = keys[start : start + CHUNK]
        pair = sa.tuple_(CatalogDataset.namespace, CatalogDataset.name)
        for row in session.exec(select(CatalogDataset).where(pair.in_(batch))):
            found[row.namespace, row.name] = row
        rest = [k for k in batch if k not in found]
        if rest:
            alias = sa.tuple_(CatalogDatasetAlias.namespace, CatalogDatasetAlias.name)
            query = (
                select(CatalogDatasetAlias.namespace, CatalogDatasetAlias.name, CatalogDataset)
                .join(CatalogDataset, CatalogDataset.id == CatalogDatasetAlias.dataset_id)
                .where(alias.in_(rest))
            )
            for namespace, name, row in session.exec(query):
                found[namespace, name] = row
    return found
