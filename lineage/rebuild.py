"""Rebuild the derived model from the raw event log (after a bug fix, or to check the incremental path).

The derived tables are emptied and every stored event is applied again in the order it was stored,
through the same code as ingestion, in one transaction. Events purged by retention cannot be replayed,
so after a purge a rebuild needs `allow_partial=True` and then loses what only those events said.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from core import audit
from core.audit import Actor
from core.clock import iso
from core.errors import Conflict
from lineage import pipeline, raw_store
from lineage.models import (
    LineageDataset,
    LineageDatasetName,
    LineageDatasetVersion,
    LineageNamespace,
    LineagePending,
    LineageSource,
)
from lineage.models_graph import (
    LineageColumnEdge,
    LineageEdge,
    LineageJob,
    LineageRun,
    LineageRunIO,
    LineageRunState,
)
from lineage.retention import purged_before, purged_count
from lineage.validate import ParsedEvent, from_store

# Children before parents, so foreign keys hold at every step.
DERIVED = [
    LineageColumnEdge,
    LineageEdge,
    LineageRunIO,
    LineageRunState,
    LineageRun,
    LineageDatasetVersion,
    LineageDatasetName,
    LineageDataset,
    LineageJob,
    LineageSource,
    LineageNamespace,
]


@dataclass
class RebuildResult:
    """Events replayed, and those that no longer pass validation (seq and reason)."""

    replayed: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)


def clear_derived(session: Session) -> None:
    """Empty every derived table (the raw events stay)."""
    session.execute(sa.update(LineageJob).values(parent_job_id=None))
    for model in DERIVED:
        session.execute(sa.delete(model))


def _apply(session: Session, batch: list[ParsedEvent], result: RebuildResult, progress) -> None:
    if batch:
        pipeline.apply(session, batch)
        result.replayed += len(batch)
        if progress is not None:
            progress(len(batch))
        batch.clear()


def rebuild(
    session: Session,
    *,
    actor: Actor,
    allow_partial: bool = False,
    progress: Callable[[int], None] | None = None,
    commit: bool = True,
) -> RebuildResult:
    """Re-derive everything from the raw events; 409 after a purge unless `allow_partial`."""
    cutoff = purged_before(session)
    if cutoff is not None and not allow_partial:
        raise Conflict(
            f"{purged_count(session)} raw events stored before {iso(cutoff)} were purged; a rebuild would drop "
            "the runs, versions and edges only they described. Pass allow_partial (--allow-partial) to accept that",
            field="allow_partial",
        )
    pipeline.take_lock(session)
    clear_derived(session)
    session.execute(sa.delete(LineagePending))  # every stored event is replayed below
    result = RebuildResult()
    batch: list[ParsedEvent] = []
    for seq, event_hash, raw in raw_store.replay(session):
        try:
            batch.append(from_store(raw, event_hash))
        except Exception as exc:  # a stored event the current code cannot read: reported, not fatal
            result.skipped.append((seq, f"{type(exc).__name__}: {exc}"))
        if len(batch) >= pipeline.BATCH:
            _apply(session, batch, result, progress)
    _apply(session, batch, result, progress)
    audit.record(
        session,
        actor,
        "lineage.rebuild",
        "lineage_event",
        "all",
        {"replayed": result.replayed, "skipped": len(result.skipped)},
    )
    if commit:
        session.commit()
    return result
