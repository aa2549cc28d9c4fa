"""Apply checked events to the derived model, a batch at a time (the same code serves ingestion and rebuild).

Every rule is "latest event wins" by (eventTime, event hash), never by arrival order, so replaying the
log gives the same model as ingesting it, and out-of-order delivery gives the same model too. Work that
depends on a whole job or dataset (current edges, latest run, current version, freshness) is settled
once per batch in `finish`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from lineage import column_lineage, datasets, jobs, runs, symlinks
from lineage.models import LineageDataset
from lineage.models_graph import LineageJob, LineageRun, LineageRunIO, LineageRunState
from lineage.row_cache import RowCache, names_in
from lineage.storage import insert_ignore
from lineage.validate import ParsedEvent

STATIC_RUN_NAMESPACE = uuid.UUID("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9")


def static_run_id(event_hash: str) -> str:
    """The pseudo-run that carries a JobEvent's design-time inputs and outputs."""
    return str(uuid.uuid5(STATIC_RUN_NAMESPACE, event_hash))


def _live(row) -> bool:
    state = sa.inspect(row)
    return not (state.deleted or state.was_deleted)


@dataclass
class Derived:
    """What a batch changed, for the catalogue and classification propagation."""

    datasets: dict[int, LineageDataset] = field(default_factory=dict)
    changed_facets: dict[int, set[str]] = field(default_factory=dict)  # facets whose content changed
    restamped: dict[int, set[str]] = field(default_factory=dict)  # facets an event of the batch set
    created: set[int] = field(default_factory=set)  # datasets first seen in this batch
    row_counts: dict[int, int] = field(default_factory=dict)
    written: dict[int, datetime] = field(default_factory=dict)  # completed runs wrote these, at
    aliases: list[symlinks.Alias] = field(default_factory=list)
    column_lineage: set[int] = field(default_factory=set)  # outputs whose column edges changed

    def live(self) -> list[LineageDataset]:
        """Touched datasets that still exist (not merged away by a symlink)."""
        return [d for d in self.datasets.values() if _live(d)]


class Batch:
    """Events applied one by one over shared cached rows; `finish` settles per-job and per-dataset state."""

    def __init__(self, session: Session):
        self.session = session
        self.cache = RowCache(session)
        self.derived = Derived()
        self.jobs: dict[int, LineageJob] = {}
        self.versioned: dict[int, LineageDataset] = {}
        self.completed: dict[str, LineageRun] = {}
        self.states: list[dict[str, Any]] = []
        self.run_io: list[dict[str, Any]] = []  # written in one statement (and before any merge)

    def preload(self, events: Sequence[ParsedEvent]) -> None:
        """Load every row the batch names in a few queries."""
        names, job_names, run_ids, versions = set(), set(), set(), set()
        for parsed in events:
            event = parsed.event
            names |= names_in(event)
            if parsed.kind != "dataset":
                job_names.add((event["job"]["namespace"], event["job"]["name"]))
                parent = ((event.get("run") or {}).get("facets") or {}).get("parent") or {}
                if isinstance(parent.get("job"), dict):
                    job_names.add((parent["job"]["namespace"], parent["job"]["name"]))
                run_id = parsed.run_id or static_run_id(parsed.event_hash)
                run_ids.add(run_id)
                versions |= {
                    datasets.version_id(o["namespace"], o["name"], f"run:{run_id}")
                    for o in event.get("outputs") or []
                }
        self.cache.preload(
            namespaces={ns for ns, _ in names | job_names},
            datasets=names,
            jobs=job_names,
            runs=run_ids,
            versions=versions,
        )

    def apply(self, parsed: ParsedEvent) -> None:
        """Apply one event."""
        _Event(self, parsed).apply()

    def finish(self) -> Derived:
        """Write what was settled per batch; the caller commits."""
        session = self.session
        session.flush()
        self.derived.created = set(self.cache.created)
        self.write_run_io()
        insert_ignore(session, LineageRunState, self.states)
        live_jobs = {job_id: job for job_id, job in self.jobs.items() if _live(job)}
        if live_jobs:
            jobs.sync_edges(session, live_jobs)
        self._freshness()
        live = {ds_id: ds for ds_id, ds in self.versioned.items() if _live(ds)}
        if live:
            datasets.refresh_current(session, live)
        session.flush()
        return self.derived

    def write_run_io(self) -> None:
        """Insert the run inputs/outputs collected so far (a symlink merge must find them in the table)."""
        insert_ignore(self.session, LineageRunIO, self.run_io)
        self.run_io = []

    def _freshness(self) -> None:
        """A completed run wrote its outputs at its end: that drives each output's freshness."""
        if not self.completed:
            return
        query = (
            select(LineageRunIO.run_id, LineageDataset)
            .join(LineageDataset, LineageDataset.id == LineageRunIO.dataset_id)
            .where(LineageRunIO.run_id.in_(list(self.completed)), LineageRunIO.direction == "out")
        )
        for run_id, ds in self.session.exec(query).all():
            ended = self.completed[run_id].ended_at
            if ds.last_modified_at is None or ended > ds.last_modified_at:
                ds.last_modified_at = ended
            self.derived.datasets.setdefault(ds.id, ds)
            self.derived.written[ds.id] = max(ended, self.derived.written.get(ds.id, ended))


class _Event:
    """One event's application within a batch."""

    def __init__(self, batch: Batch, parsed: ParsedEvent):
        self.batch, self.cache, self.session = batch, batch.cache, batch.session
        self.parsed, self.event = parsed, parsed.event
        self.at, self.stamp = parsed.event_time, parsed.stamp
        self.seen: dict[tuple[str, str], LineageDataset] = {}

    def reference(self, namespace: str, name: str) -> LineageDataset:
        """A dataset named without facets (e.g. an input field of column lineage)."""
        seen = self.seen.get((namespace, name))
        if seen is not None and _live(seen):
            return seen
        self.cache.namespace(namespace, self.at)
        ds = self.cache.dataset(namespace, name, self.at)
        self.batch.derived.datasets.setdefault(ds.id, ds)
        self.seen[namespace, name] = ds
        return ds

    def dataset(
        self, ref: dict[str, Any], job_id: int | None = None, run_id: str | None = None
    ) -> LineageDataset:
        facets = ref.get("facets") or {}
        ds = self.reference(ref["namespace"], ref["name"])
        merge = datasets.apply_facets(self.cache, ds, facets, self.at, self.stamp)
        changed = merge.changed
        ds = self._aliases(ds, ref, facets)
        column_facet = facets.get("columnLineage")
        if isinstance(column_facet, dict) and column_lineage.apply(
            self.session,
            ds,
            column_facet,
            stamp=self.stamp,
            resolve=self.reference,
            job_id=job_id,
            content_changed="columnLineage" in changed,
        ):
            self.batch.derived.column_lineage.add(ds.id)
        derived = self.batch.derived
        derived.datasets[ds.id] = ds
        derived.changed_facets.setdefault(ds.id, set()).update(changed)
        derived.restamped.setdefault(ds.id, set()).update(merge.restamped)
        return ds

    def _aliases(self, ds: LineageDataset, ref: dict[str, Any], facets: dict[str, Any]) -> LineageDataset:
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
        if links:
            self.batch.write_run_io()
        for namespace, name, kind, link_type in links:
            alias = symlinks.link(self.session, ds, namespace, name, kind, link_type, self.cache.forget)
            if alias is not None:
                self.batch.derived.aliases.append(alias)
        return ds

    def apply(self) -> None:
        if self.parsed.kind == "dataset":
            ref = self.event["dataset"]
            self._version(self.dataset(ref), ref, None)
            return
        job_ref = self.event["job"]
        self.cache.namespace(job_ref["namespace"], self.at)
        job = self.cache.job(job_ref["namespace"], job_ref["name"], self.at)
        jobs.apply_facets(job, job_ref.get("facets"), self.stamp)
        self.batch.jobs[job.id] = job
        if self.parsed.kind == "job":
            run = self.cache.run(static_run_id(self.parsed.event_hash), job.id, self.at, static=True)
        else:
            run = self.cache.run(self.parsed.run_id, job.id, self.at)
            runs.apply_facets(run, self.event["run"].get("facets"), self.stamp)
            self._parent(job, run)
            runs.apply_event(run, self.parsed.event_type, self.at, self.stamp)
            transition = self.parsed.event_type or "OTHER"
            self.batch.states.append(
                {
                    "event_hash": self.parsed.event_hash,
                    "run_id": run.id,
                    "transition": transition,
                    "at": self.at,
                }
            )
        outputs = self._io(run, job.id)
        if run.state == "COMPLETED" and (outputs or self.parsed.event_type == "COMPLETE"):
            self.batch.completed[run.id] = run

    def _io(self, run: LineageRun, job_id: int) -> int:
        rows = []
        for direction, key in (("in", "inputs"), ("out", "outputs")):
            for ref in self.event.get(key) or []:
                ds = self.dataset(ref, job_id)
                rows.append({"run_id": run.id, "direction": direction, "dataset_id": ds.id})
                if direction == "out":
                    self._version(ds, ref, run)
        if rows:
            run.has_io = True
            # Re-read ids: a symlink later in this event may have merged a dataset named earlier.
            for row, ref in zip(
                rows, [*(self.event.get("inputs") or []), *(self.event.get("outputs") or [])], strict=True
            ):
                row["dataset_id"] = self.reference(ref["namespace"], ref["name"]).id
            self.batch.run_io += rows
        return len(self.event.get("outputs") or [])

    def _version(self, ds: LineageDataset, ref: dict[str, Any], run: LineageRun | None) -> None:
        facets = ref.get("facets") or {}
        schema = facets.get("schema")
        schema = schema if isinstance(schema, dict) and not schema.get("_deleted") else None
        if run is None and schema is None:
            return
        stats = (ref.get("outputFacets") or {}).get("outputStatistics") or {}
        origin = f"run:{run.id}" if run is not None else f"event:{self.parsed.event_hash}"
        datasets.record_version(
            self.cache,
            ds,
            vid=datasets.version_id(ref["namespace"], ref["name"], origin),
            run_id=run.id if run is not None else None,
            at=self.at,
            stamp=self.stamp,
            schema=schema,
            lifecycle=(facets.get("lifecycleStateChange") or {}).get("lifecycleStateChange"),
            row_count=stats.get("rowCount"),
        )
        self.batch.versioned[ds.id] = ds
        if stats.get("rowCount") is not None:
            self.batch.derived.row_counts[ds.id] = stats["rowCount"]

    def _parent(self, job: LineageJob, run: LineageRun) -> None:
        parent = (self.event["run"].get("facets") or {}).get("parent")
        if not isinstance(parent, dict) or parent.get("_deleted") or "job" not in parent:
            return
        self.cache.namespace(parent["job"]["namespace"], self.at)
        parent_job = self.cache.job(parent["job"]["namespace"], parent["job"]["name"], self.at)
        jobs.set_parent(job, parent_job, self.stamp)
        if parent["run"]["runId"] != run.id:
            run.parent_run_id = parent["run"]["runId"]


def apply(session: Session, events: ParsedEvent | Sequence[ParsedEvent]) -> Derived:
    """Apply one event or a batch to the derived tables (the caller commits)."""
    batch_events = [events] if isinstance(events, ParsedEvent) else list(events)
    batch = Batch(session)
    with session.no_autoflush:
        batch.preload(batch_events)
        for parsed in batch_events:
            batch.apply(parsed)
        return batch.finish()
