"""Consent's scheduled task: re-evaluate unified decisions whose `valid_until` has passed."""

from __future__ import annotations

from datetime import datetime

from consent import operations
from core.audit import Actor
from core.runtime import Runtime
from jobs.registry import JobResult

JOB_ACTOR = Actor(name="scheduler", role="admin", kind="system")


def refresh_decisions(runtime: Runtime, *, now: datetime) -> JobResult:
    """Expiries, ended EBR / implied-consent windows, a registry turning stale: rewrite the rows they change."""
    with runtime.db.session(write=True) as session:
        stats = operations.refresh_due(session, actor=JOB_ACTOR, emitter=runtime.emitter, now=now)
    counts = {"customers": stats.customers, "decisions": stats.decisions}
    return JobResult(counts, f"refreshed {stats.decisions} decisions for {stats.customers} customers")
