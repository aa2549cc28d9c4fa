"""Jobs in the derived model: facets, parent/child grouping and the current job-to-dataset edges."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from lineage.models_graph import LineageEdge, LineageJob, LineageRun, LineageRunIO
from lineage.storage import merge_facets, name_key


def get(session: Session, namespace: str, name: str) -> LineageJob | None:
    """The job (namespace, name), if seen."""
    return session.exec(select(LineageJob).where(LineageJob.key == name_key(namespace, name))).first()


def ensure(session: Session, namespace: str, name: str, at: datetime) -> LineageJob:
    """The job, created on first sight (also when only named as another run's parent)."""
    job = get(session, namespace, name)
    if job is None:
        job = LineageJob(
            key=name_key(namespace, name), namespace=namespace, name=name, created_at=at, updated_at=at
        )
        session.add(job)
        session.flush()
    else:
        job.created_at = min(job.created_at, at)
        job.updated_at = max(job.updated_at, at)
    return job


def apply_facets(job: LineageJob, facets: dict[str, Any] | None, stamp: str) -> None:
    """Merge job facets (latest wins per facet); refresh type and description."""
    merged, stamps, changed = merge_facets(job.facets, job.facet_stamps, facets, stamp)
    if not changed:
        return
    job.facets, job.facet_stamps = merged, stamps
    if "jobType" in changed:
        kind = merged.get("jobType") or {}
        job.job_type = _short(kind.get("jobType"))
        job.integration = _short(kind.get("integration"))
        job.processing_type = (kind.get("processingType") or None) and kind["processingType"][:20]
    if "documentation" in changed:
        job.description = (merged.get("documentation") or {}).get("description")


def _short(value: Any) -> str | None:
    return str(value)[:64] if value else None


def set_parent(job: LineageJob, parent: LineageJob, stamp: str) -> None:
    """The job's parent (Airflow DAG of a task, Spark application of an action); latest event wins."""
    if parent.id != job.id and (job.parent_stamp or "") <= stamp:
        job.parent_job_id, job.parent_stamp = parent.id, stamp


def sync_edges(session: Session, job: LineageJob) -> None:
    """Make the job's current edges the inputs/outputs of its latest run that declared any."""
    definer = session.exec(
        select(LineageRun.id)
        .where(LineageRun.job_id == job.id, LineageRun.has_io == sa.true())
        .order_by(LineageRun.sort_at.desc(), LineageRun.id.desc())
        .limit(1)
    ).first()
    session.execute(sa.delete(LineageEdge).where(LineageEdge.job_id == job.id))
    job.io_run_id = definer
    if definer is None:
        return
    io = LineageRunIO.__table__
    session.execute(
        sa.insert(LineageEdge.__table__).from_select(
            ["job_id", "direction", "dataset_id"],
            sa.select(sa.literal(job.id), io.c.direction, io.c.dataset_id).where(io.c.run_id == definer),
        )
    )


def refresh_latest_run(session: Session, job: LineageJob) -> None:
    """Point the job at its latest run (by start), whatever order the events came in."""
    job.latest_run_id = session.exec(
        select(LineageRun.id)
        .where(LineageRun.job_id == job.id, LineageRun.is_static == sa.false())
        .order_by(LineageRun.sort_at.desc(), LineageRun.id.desc())
        .limit(1)
    ).first()
