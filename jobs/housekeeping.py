"""Core jobs: audit chain verification and job history retention."""

from __future__ import annotations

from datetime import datetime, timedelta

from core import audit
from core.audit import SYSTEM
from core.runtime import Runtime
from jobs import history
from jobs.registry import JobFailed, JobResult


def verify_audit_chain(runtime: Runtime, *, now: datetime) -> JobResult:
    """Recompute the audit log's hash chain; a broken chain fails the run, naming every problem."""
    with runtime.db.session() as session:
        result = audit.verify(session)
    counts = {
        "entries_checked": result.checked,
        "head_seq": result.head_seq,
        "problems": len(result.problems),
    }
    if not result.ok:
        shown = "; ".join(result.problems[:20])
        more = f" (and {len(result.problems) - 20} more)" if len(result.problems) > 20 else ""
        raise JobFailed(f"audit chain broken: {shown}{more}", counts=counts)
    return JobResult(counts, f"audit log intact: {result.checked} entries, head #{result.head_seq}")


def purge_job_history(runtime: Runtime, *, now: datetime) -> JobResult:
    """Delete finished job runs older than CONCORD_JOB_HISTORY_DAYS (the purge itself is audited)."""
    days = runtime.settings.job_history_days
    before = now - timedelta(days=days)
    with runtime.db.session(write=True) as session:
        deleted = history.purge_before(session, before)
        if deleted:
            audit.record(
                session,
                SYSTEM,
                "job_run.purge",
                "job_run",
                "*",
                {"deleted": deleted, "before": before.isoformat()},
            )
        session.commit()
    return JobResult({"deleted": deleted}, f"deleted {deleted} job runs started before {days} days ago")
