"""Lineage's scheduled task: raw OpenLineage event retention."""

from __future__ import annotations

from datetime import datetime

from core.audit import SYSTEM
from core.runtime import Runtime
from jobs.registry import JobResult
from lineage import retention


def purge_old_events(runtime: Runtime, *, now: datetime) -> JobResult:
    """Purge raw events older than CONCORD_LINEAGE_RETENTION_DAYS (the derived graph stays); unset keeps all."""
    with runtime.db.session(write=True) as session:
        result = retention.purge_expired(session, settings=runtime.settings, actor=SYSTEM)
    if result is None:
        return JobResult({"deleted": 0}, "CONCORD_LINEAGE_RETENTION_DAYS is unset: events are kept")
    return JobResult(
        {"deleted": result.deleted}, f"deleted {result.deleted} events stored before {result.cutoff:%Y-%m-%d}"
    )
