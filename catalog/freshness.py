"""Freshness: each dataset's expected update interval against its last known write (lineage or scan)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from catalog.models import CatalogDataset
from catalog.registry import get_row
from catalog.search.index import reindex
from core import audit, clock
from core.audit import SYSTEM, Actor
from core.errors import InvalidInput

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
