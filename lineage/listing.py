"""Listings in Marquez's shape: namespaces, sources, datasets (with versions), jobs (with children), runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from core.clock import iso
from core.errors import NotFound
from lineage import presenters
from lineage.datasets import resolve as resolve_dataset
from lineage.graph import rows_by_id
from lineage.jobs import get as find_job
from lineage.models import LineageDataset, LineageDatasetVersion, LineageNamespace, LineageSource
from lineage.models_graph import LineageEdge, LineageJob, LineageRun, LineageRunState
from lineage.normalise import canonical_run_id
from lineage.symlinks import aliases_of

MAX_LIMIT = 1000


@dataclass(frozen=True)
class Page:
    """One page of a listing and the total count."""

    items: list[dict[str, Any]]
    total_count: int


def _page(session: Session, query, count_query, limit: int, offset: int):
    rows = session.exec(query.offset(offset).limit(min(limit, MAX_LIMIT))).all()
    return rows, session.exec(count_query).one()


def list_namespaces(session: Session, *, limit: int = 100, offset: int = 0) -> Page:
    """Every namespace seen on a job or dataset."""
    rows, total = _page(
        session,
        select(LineageNamespace).order_by(LineageNamespace.name),
        select(sa.func.count()).select_from(LineageNamespace),
        limit,
        offset,
    )
    items = [{"name": r.name, "createdAt": iso(r.created_at), "updatedAt": iso(r.updated_at)} for r in rows]
    return Page(items, total)


def list_sources(session: Session, *, limit: int = 100, offset: int = 0) -> Page:
    """Data sources named by `dataSource` facets."""
    rows, total = _page(
        session,
        select(LineageSource).order_by(LineageSource.name),
        select(sa.func.count()).select_from(LineageSource),
        limit,
        offset,
    )
    items = [
        {
            "name": r.name,
            "connectionUrl": r.uri,
            "createdAt": iso(r.created_at),
            "updatedAt": iso(r.updated_at),
        }
        for r in rows
    ]
    return Page(items, total)


def list_datasets(session: Session, *, namespace: str, limit: int = 100, offset: int = 0) -> Page:
    """Datasets of a namespace, by name."""
    where = LineageDataset.namespace == namespace
    rows, total = _page(
        session,
        select(LineageDataset).where(where).order_by(LineageDataset.name),
        select(sa.func.count()).select_from(LineageDataset).where(where),
        limit,
        offset,
    )
    return Page([presenters.dataset(r) for r in rows], total)


def get_dataset(session: Session, *, namespace: str, name: str) -> dict[str, Any]:
    """A dataset with its facets and aliases (found by any of its names); 404 if unknown."""
    ds = resolve_dataset(session, namespace, name)
    if ds is None:
        raise NotFound(f"no dataset {name!r} in namespace {namespace!r}", field="name")
    out = presenters.dataset(ds)
    out["facets"] = ds.facets
    out["aliases"] = [
        {"namespace": a.namespace, "name": a.name, "kind": a.kind, "type": a.link_type}
        for a in aliases_of(session, ds.id)
    ]
    return out


def list_dataset_versions(
    session: Session, *, namespace: str, name: str, limit: int = 100, offset: int = 0
) -> Page:
    """A dataset's versions, newest first."""
    ds = resolve_dataset(session, namespace, name)
    if ds is None:
        raise NotFound(f"no dataset {name!r} in namespace {namespace!r}", field="name")
    where = LineageDatasetVersion.dataset_id == ds.id
    rows, total = _page(
        session,
        select(LineageDatasetVersion)
        .where(where)
        .order_by(LineageDatasetVersion.created_at.desc(), LineageDatasetVersion.id),
        select(sa.func.count()).select_from(LineageDatasetVersion).where(where),
        limit,
        offset,
    )
    items = [
        {
            "version": v.id,
            "createdAt": iso(v.created_at),
            "createdByRun": v.run_id,
            "fields": v.fields,
            "lifecycleState": v.lifecycle_state,
            "rowCount": v.row_count,
        }
        for v in rows
    ]
    return Page(items, total)


def list_jobs(session: Session, *, namespace: str | None = None, limit: int = 100, offset: int = 0) -> Page:
    """Jobs (of a namespace, or all), each with inputs, outputs, parent, children and latest run."""
    where = [LineageJob.namespace == namespace] if namespace is not None else []
    rows, total = _page(
        session,
        select(LineageJob).where(*where).order_by(LineageJob.namespace, LineageJob.name),
        select(sa.func.count()).select_from(LineageJob).where(*where),
        limit,
        offset,
    )
    return Page(_jobs_data(session, rows), total)


def get_job(session: Session, *, namespace: str, name: str) -> dict[str, Any]:
    """One job with its children; 404 if unknown."""
    job = find_job(session, namespace, name)
    if job is None:
        raise NotFound(f"no job {name!r} in namespace {namespace!r}", field="name")
    return _jobs_data(session, [job])[0]


def _jobs_data(session: Session, rows: list[LineageJob]) -> list[dict[str, Any]]:
    ids = [j.id for j in rows]
    edges = session.exec(select(LineageEdge).where(LineageEdge.job_id.in_(ids))).all() if ids else []
    names = {
        d.id: (d.namespace, d.name)
        for d in rows_by_id(session, LineageDataset, {e.dataset_id for e in edges}).values()
    }
    parents = rows_by_id(session, LineageJob, {j.parent_job_id for j in rows if j.parent_job_id})
    latest = rows_by_id(session, LineageRun, {j.latest_run_id for j in rows if j.latest_run_id})
    children: dict[int, list[dict[str, str]]] = {}
    if ids:
        for child in session.exec(
            select(LineageJob).where(LineageJob.parent_job_id.in_(ids)).order_by(LineageJob.name)
        ):
            children.setdefault(child.parent_job_id, []).append(
                presenters.name_ref(child.namespace, child.name)
            )
    out = []
    for job in rows:
        mine = sorted((names[e.dataset_id], e.direction) for e in edges if e.job_id == job.id)
        data = presenters.job(
            job,
            inputs=[presenters.name_ref(*n) for n, d in mine if d == "in"],
            outputs=[presenters.name_ref(*n) for n, d in mine if d == "out"],
            latest_run=latest.get(job.latest_run_id),
            parent=parents.get(job.parent_job_id),
        )
        data["children"] = children.get(job.id, [])
        data["facets"] = job.facets
        out.append(data)
    return out


def list_runs(session: Session, *, namespace: str, job: str, limit: int = 100, offset: int = 0) -> Page:
    """A job's runs, newest first, each with its state history and duration."""
    row = find_job(session, namespace, job)
    if row is None:
        raise NotFound(f"no job {job!r} in namespace {namespace!r}", field="job")
    where = [LineageRun.job_id == row.id, LineageRun.is_static == sa.false()]
    found, total = _page(
        session,
        select(LineageRun).where(*where).order_by(LineageRun.sort_at.desc(), LineageRun.id.desc()),
        select(sa.func.count()).select_from(LineageRun).where(*where),
        limit,
        offset,
    )
    states = _states(session, [r.id for r in found])
    return Page([presenters.run(r, states.get(r.id, [])) for r in found], total)


def get_run(session: Session, *, run_id: str) -> dict[str, Any]:
    """One run with its job, state history and facets; 404 if unknown."""
    run = session.get(LineageRun, canonical_run_id(run_id))
    if run is None or run.is_static:
        raise NotFound(f"no run {run_id!r} has been seen in lineage events", field="runId")
    job = session.get(LineageJob, run.job_id)
    out = presenters.run(run, _states(session, [run.id]).get(run.id, []))
    out["job"] = presenters.name_ref(job.namespace, job.name)
    out["facets"] = run.facets
    return out


def _states(session: Session, run_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    if not run_ids:
        return {}
    rows = session.exec(
        select(LineageRunState)
        .where(LineageRunState.run_id.in_(run_ids))
        .order_by(LineageRunState.at, LineageRunState.event_hash)
    ).all()
    out: dict[str, list[dict[str, Any]]] = {}
    for state in rows:
        out.setdefault(state.run_id, []).append({"state": state.transition, "at": iso(state.at)})
    return out
