"""Consent's periodic tasks: plain functions the scheduler (or `concord job run`) calls with a runtime."""

from __future__ import annotations

from consent import operations, pulls
from core.audit import Actor
from core.runtime import Runtime

JOB_ACTOR = Actor(name="scheduler", role="admin", kind="system")


def refresh_decisions(runtime: Runtime) -> str:
    """Re-evaluate unified decisions whose `valid_until` has passed (expiries, window ends, stale registry)."""
    with runtime.db.session(write=True) as session:
        stats = operations.refresh_due(session, actor=JOB_ACTOR, emitter=runtime.emitter)
    return f"refreshed {stats.decisions} decisions for {stats.customers} customers"


def pull_source(runtime: Runtime, *, source: str, url: str) -> str:
    """Pull one source system's new rows (from its cursor) through the default mapping."""
    with runtime.db.session(write=True) as session:
        result = pulls.pull(session, source=source, url=url, actor=JOB_ACTOR, emitter=runtime.emitter)
    stored = sum(result.ingest.stored.values()) if result.ingest else 0
    return f"{source}: {sum(result.rows.values())} rows read, {stored} new facts"
