"""Jobs in the derived model: facets, parent/child grouping, latest run and the current job-to-dataset edges."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from lineage.models_graph import LineageEdge, LineageJob, LineageRun, LineageRunIO
from lineage.storage import apply_merge, chunks, latest_per, merge_facets, name_key


def get(session: Session, namespace: str, name: str) -> LineageJob | None:
    """The job (namespace, name), if seen."""
    return session.exec(select(LineageJob).where(LineageJob.key == name_key(namespace, name))).first()


def apply_facets(job: LineageJob, facets: dict[str, Any] | None, stamp: str) -> None:
    """Merge job facets (latest wins per facet); refresh type and description."""
    merge = merge_facets(job.facets, job.facet_stamps, facets, stamp)
    apply_merge(job, merge)
    changed, merged = merge.changed, merge.facets
    if "jobType" in changed:
        kind = merged.get("jobType") or {}
        job.job_type = _short(kind.get("jobType"), 64)
        job.integration = _short(kind.get("integration"), 64)
        job.processing_type = _short(kind.get("processingType"), 20)
    if "documentation" in changed:
        job.description = (merged.get("documentation") or {}).get("description")


def _short(value: Any, limit: int) -> str | None:
    return str(value)[:limit] if value else None


def set_parent(job: LineageJob, parent: LineageJob, stamp: str) -> None:
    """The job's parent (Airflow DAG of a task, Spark application of an action); latest event wins."""
    if parent.id != job.id and (job.parent_stamp or "") <= stamp:
        job.parent_job_id, job.parent_stamp = parent.id, stamp


def _latest(session: Session, job_ids: list[int], *conditions) -> dict[int, str]:
    """Per job, the id of its latest run (by start, then id) among runs matching `conditions`."""
    return latest_per(session, LineageRun.__table__, "job_id", job_ids, ("sort_at", "id"), *conditions)


def sync_edges(session: Session, jobs: dict[int, LineageJob]) -> None:
    """Each job's current edges become the inputs/outputs of its latest run that declared any."""
    run = LineageRun.__table__
    definers = _latest(session, list(jobs), run.c.has_io == sa.true())
    edge, io = LineageEdge.__table__, LineageRunIO.__table__
    for batch in chunks(list(jobs)):
        session.execute(sa.delete(edge).where(edge.c.job_id.in_(batch)))
    for batch in chunks(list(definers.values())):
        session.execute(
            sa.insert(edge).from_select(
                ["job_id", "direction", "dataset_id"],
                sa.select(run.c.job_id, io.c.direction, io.c.dataset_id)
                .join(run, run.c.id == io.c.run_id)
                .where(io.c.run_id.in_(batch)),
            )
        )
    for job_id, job in jobs.items():
        job.io_run_id = definers.get(job_id)
    latest = _latest(session, list(jobs), run.c.is_static == sa.false())
    for job_id, job in jobs.items():
        job.latest_run_id = latest.get(job_id)
