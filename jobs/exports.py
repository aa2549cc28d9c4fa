"""Exports' scheduled tasks: file retention (the records stay) and failing exports whose process stopped."""

from __future__ import annotations

from datetime import datetime

from consent import export_reads, export_recovery
from core.runtime import Runtime
from jobs.registry import JOB_ACTOR, JobResult


def purge_export_files(runtime: Runtime, *, now: datetime) -> JobResult:
    """Delete compliant lists, exclusion reports and uploaded segments older than CONCORD_EXPORT_RETENTION_DAYS."""
    with runtime.db.session(write=True) as session:
        purged = export_reads.purge_expired(session, actor=JOB_ACTOR, now=now)
    return JobResult({"exports": len(purged)}, f"deleted the files of {len(purged)} exports")


def fail_interrupted_exports(runtime: Runtime, *, now: datetime) -> JobResult:
    """Fail exports whose process stopped mid-run (no heartbeat for five minutes); nothing of them is published."""
    with runtime.db.session(write=True) as session:
        failed = export_recovery.fail_interrupted(session, actor=JOB_ACTOR, now=now)
    return JobResult({"exports": len(failed)}, f"failed {len(failed)} interrupted exports")
