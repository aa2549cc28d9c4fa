"""Apply one checked event to the derived model (the same code serves ingestion and rebuild).

Every rule is "latest event wins" by (eventTime, event hash), never by arrival order, so replaying
the log gives the same model as ingesting it, and out-of-order delivery gives the same model too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from lineage import column_lineage, datasets, jobs, runs, symlinks
from lineage.models import LineageDataset, LineageNamespace
from lineage.models_graph import LineageRun, LineageRunIO
from lineage.storage import insert_ignore
from lineage.validate import ParsedEvent

STATIC_RUN_NAMESPACE = uuid.UUID("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9")


@dataclass
class Derived:
    """What an event changed, for the catalogue and classification propagation."""

    datasets: dict[int, LineageDataset] = field(default_factory=dict)
    changed_facets: dict[int, set[str]] = field(default_factory=dict)
    written: dict[int, datetime] = field(default_factory=dict)  # completed runs wrote these, at
    row_counts: dict[int, int] = field(default_factory=dict)
    aliases: list[symlinks.Alias] = field(default_factory=list)
    column_lineage: set[int] = field(default_factory=set)  # outputs whose column edges changed

    def live(self) -> list[LineageDataset]:
        """Touched datasets that still exist (not merged away by a symlink)."""
        return [d for d in self.datasets.values() if not sa.inspect(d).deleted and not sa.inspect(d).detached]


class _Apply:
    def __init__(self, session: Session, parsed: ParsedEvent):
        self.session = session
        self.parsed = parsed
        self.at = parsed.event_time
        self.stamp = parsed.stamp
        self.derived = Derived()
        self._namespaces: set[str] = set()

    def namespace(self, name: str) -> None:
        if name in self._namespaces:
            return
        self._namespaces.add(name)
        row = self.session.exec(select(LineageNamespace).where(LineageNamespace.name == name)).first()
        if row is None:
            self.session.add(LineageNamespace(name=name, created_at=self.at, updated_at=self.at))
        else:
            row.created_at, row.updated_at = min(row.created_at, self.at), max(row.updated_at, self.at)

    def reference(self, namespace: str, name: str) -> LineageDataset:
        """A dataset named without facets (e.g. an input field of column lineage)."""
        self.namespace(namespace)
        ds, _ = datasets.ensure(self.session, namespace, name, self.at)
        self.derived.datasets.setdefault(ds.id, ds)
        return ds

    def dataset(
        self, ref: dict[str, Any], job_id: int | None = None, run_id: str | None = None
    ) -> LineageDataset:
        facets = ref.get("facets") or {}
        ds = self.reference(ref["namespace"], ref["name"])
        changed = datasets.apply_facets(self.session, ds, facets, self.at, self.stamp)
        self._aliases(ds, facets)
        column_facet = facets.get("columnLineage")
        if isinstance(column_facet, dict) and column_lineage.apply(
            self.session,
            ds,
            column_facet,
            stamp=self.stamp,
            resolve=self.reference,
            job_id=job_id,
            run_id=run_id,
        ):
            self.derived.column_lineage.add(ds.id)
        self.derived.datasets[ds.id] = ds
        self.derived.changed_facets.setdefault(ds.id, set()).update(changed)
        return ds

    def _aliases(self, ds: LineageDataset, facets: dict[str, Any]) -> None:
        links = []
        symlink_facet = facets.get("symlinks") or {}
        if not symlink_facet.get("_deleted"):
            links += [
                (i["namespace"], i["name"], "symlink", i.get("type"))
                for i in symlink_facet.get("identifiers") or []
            ]
        lifecycle = facets.get("lifecycleStateChange") or {}
        previous = (
            lifecycle.get("previousIdentifier") if lifecycle.get("lifecycleStateChange") == "RENAME" else None
        )
        if previous:
            links.append((previous["namespace"], previous["name"], "previous", None))
        for namespace, name, kind, link_type in links:
            alias = symlinks.link(self.session, ds, namespace, name, kind, link_type)
            if alias is not None:
                self.derived.aliases.append(alias)

    def io(self, run: LineageRun, job_id: int, refs: list[dict[str, Any]] | None, direction: str) -> int:
        for ref in refs or []:
            ds = self.dataset(ref, job_id, run.id)
            insert_ignore(
                self.session, LineageRunIO, [{"run_id": run.id, "direction": direction, "dataset_id": ds.id}]
            )
            if direction == "out" or self.parsed.kind == "dataset":
                self._version(ds, ref, run)
        return len(refs or [])

    def _version(self, ds: LineageDataset, ref: dict[str, Any], run: LineageRun | None) -> None:
        facets = ref.get("facets") or {}
        schema = facets.get("schema")
        schema = schema if isinstance(schema, dict) and not schema.get("_deleted") else None
        if run is None and schema is None:
            return
        stats = (ref.get("outputFacets") or {}).get("outputStatistics") or {}
        origin = f"run:{run.id}" if run is not None else f"event:{self.parsed.event_hash}"
        datasets.record_version(
            self.session,
            ds,
            vid=datasets.version_id(ref["namespace"], ref["name"], origin),
            run_id=run.id if run is not None else None,
            at=self.at,
            stamp=self.stamp,
            schema=schema,
            lifecycle=(facets.get("lifecycleStateChange") or {}).get("lifecycleStateChange"),
            row_count=stats.get("rowCount"),
        )
        if stats.get("rowCount") is not None:
            self.derived.row_counts[ds.id] = stats["rowCount"]


def apply(session: Session, parsed: ParsedEvent) -> Derived:
    """Apply `parsed` to the derived tables (the caller commits)."""
    work = _Apply(session, parsed)
    if parsed.kind == "dataset":
        ref = parsed.event["dataset"]
        ds = work.dataset(ref)
        work._version(ds, ref, None)
    else:
        _job_or_run(work)
    session.flush()
    return work.derived


def _job_or_run(work: _Apply) -> None:
    event, session, at = work.parsed.event, work.session, work.at
    job_ref = event["job"]
    work.namespace(job_ref["namespace"])
    job = jobs.ensure(session, job_ref["namespace"], job_ref["name"], at)
    jobs.apply_facets(job, job_ref.get("facets"), work.stamp)
    if work.parsed.kind == "job":
        run_id = str(uuid.uuid5(STATIC_RUN_NAMESPACE, work.parsed.event_hash))
        run = runs.ensure(session, run_id, job.id, at, static=True)
    else:
        run = runs.ensure(session, work.parsed.run_id, job.id, at)
        runs.apply_facets(run, event["run"].get("facets"), work.stamp)
        _parent(work, job, run)
        runs.apply_event(session, run, work.parsed.event_type, at, work.stamp, work.parsed.event_hash)
    session.flush()
    inputs = work.io(run, job.id, event.get("inputs"), "in")
    outputs = work.io(run, job.id, event.get("outputs"), "out")
    if inputs or outputs:
        run.has_io = True
    if run.has_io:
        session.flush()
        jobs.sync_edges(session, job)
    jobs.refresh_latest_run(session, job)
    if run.state == "COMPLETED" and (outputs or work.parsed.event_type == "COMPLETE"):
        _freshness(work, run)


def _parent(work: _Apply, job, run: LineageRun) -> None:
    parent = (work.parsed.event["run"].get("facets") or {}).get("parent")
    if not isinstance(parent, dict) or parent.get("_deleted") or "job" not in parent:
        return
    work.namespace(parent["job"]["namespace"])
    parent_job = jobs.ensure(work.session, parent["job"]["namespace"], parent["job"]["name"], work.at)
    jobs.set_parent(job, parent_job, work.stamp)
    if parent["run"]["runId"] != run.id:
        run.parent_run_id = parent["run"]["runId"]


def _freshness(work: _Apply, run: LineageRun) -> None:
    """A completed run wrote its outputs at its end: that drives each output's freshness."""
    written = work.session.exec(
        select(LineageDataset)
        .join(LineageRunIO, LineageRunIO.dataset_id == LineageDataset.id)
        .where(LineageRunIO.run_id == run.id, LineageRunIO.direction == "out")
    ).all()
    for ds in written:
        if ds.last_modified_at is None or run.ended_at > ds.last_modified_at:
            ds.last_modified_at = run.ended_at
        work.derived.datasets.setdefault(ds.id, ds)
        work.derived.written[ds.id] = run.ended_at
