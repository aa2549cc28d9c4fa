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
from core.errors import ConcordError, Conflict
from lineage import derive, raw_store
from lineage.models import (
    LineageDataset,
    LineageDatasetName,
    LineageDatasetVersion,
    LineageNamespace,
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
from lineage.validate import parse_event

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
    clear_derived(session)
    result = RebuildResult()
    for seq, raw in raw_store.replay(session):
        try:
            parsed = parse_event(raw)
        except ConcordError as exc:
            result.skipped.append((seq, f"{exc.field}: {exc.message}"))
            continue
        derive.apply(session, parsed)
        result.replayed += 1
        if progress is not None:
            progress(1)
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
