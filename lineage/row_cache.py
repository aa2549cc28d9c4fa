"""Rows a batch of events touches, loaded in a few IN-queries up front and created on first sight.

Derivation runs without autoflush (one flush per batch instead of one per statement), so every row a
batch creates must be found again here, not by querying for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, select

from lineage.models import (
    LineageDataset,
    LineageDatasetName,
    LineageDatasetVersion,
    LineageNamespace,
    LineageSource,
)
from lineage.models_graph import LineageJob, LineageRun
from lineage.storage import chunks, name_key

# JSON columns given explicitly: pydantic inspects a default_factory's signature on every construction.
_EMPTY_DATASET = {"fields": [], "facets": {}, "facet_stamps": {}, "owners": []}


class RowCache:
    """Namespaces, sources, datasets (by any of their names), jobs, runs and versions of one batch."""

    def __init__(self, session: Session):
        self.session = session
        self.namespaces: dict[str, LineageNamespace] = {}
        self.sources: dict[str, LineageSource | None] = {}
        self.datasets: dict[str, LineageDataset] = {}  # by name key
        self.jobs: dict[str, LineageJob] = {}  # by name key
        self.runs: dict[str, LineageRun | None] = {}
        self.versions: dict[str, LineageDatasetVersion | None] = {}
        self.created: set[int] = set()  # datasets first seen in this batch

    def preload(
        self,
        *,
        namespaces: Iterable[str] = (),
        datasets: Iterable[tuple[str, str]] = (),
        jobs: Iterable[tuple[str, str]] = (),
        runs: Iterable[str] = (),
        versions: Iterable[str] = (),
    ) -> None:
        """Load what the batch names, in one query per kind and chunk."""
        for batch in chunks(set(namespaces) - set(self.namespaces)):
            for row in self.session.exec(select(LineageNamespace).where(LineageNamespace.name.in_(batch))):
                self.namespaces[row.name] = row
        keys = {name_key(ns, name) for ns, name in datasets} - set(self.datasets)
        for batch in chunks(keys):
            query = (
                select(LineageDatasetName.key, LineageDataset)
                .join(LineageDataset, LineageDataset.id == LineageDatasetName.dataset_id)
                .where(LineageDatasetName.key.in_(batch))
            )
            for key, row in self.session.exec(query):
                self.datasets[key] = row
        job_keys = {name_key(ns, name) for ns, name in jobs} - set(self.jobs)
        for batch in chunks(job_keys):
            for row in self.session.exec(select(LineageJob).where(LineageJob.key.in_(batch))):
                self.jobs[row.key] = row
        self._load(LineageRun, self.runs, runs)
        self._load(LineageDatasetVersion, self.versions, versions)

    def _load(self, model, into: dict, ids: Iterable[str]) -> None:
        wanted = set(ids) - set(into)
        for batch in chunks(wanted):
            for row in self.session.exec(select(model).where(model.id.in_(batch))):
                into[row.id] = row
        for missing in wanted - set(into):
            into[missing] = None

    def namespace(self, name: str, at: datetime) -> None:
        """Record that `name` was seen at `at`."""
        row = self.namespaces.get(name)
        if row is None:
            row = self.session.exec(select(LineageNamespace).where(LineageNamespace.name == name)).first()
        if row is None:
            row = LineageNamespace(name=name, created_at=at, updated_at=at)
            self.session.add(row)
        else:
            _widen(row, at)
        self.namespaces[name] = row

    def source(self, name: str, uri: str | None, at: datetime) -> None:
        """Record a data source named by a dataSource facet (latest URI wins)."""
        if name not in self.sources:
            self.sources[name] = self.session.exec(
                select(LineageSource).where(LineageSource.name == name)
            ).first()
        row = self.sources[name]
        if row is None:
            self.sources[name] = LineageSource(name=name, uri=uri, created_at=at, updated_at=at)
            self.session.add(self.sources[name])
            return
        row.created_at = min(row.created_at, at)
        if at >= row.updated_at:
            row.uri, row.updated_at = uri or row.uri, at

    def dataset(self, namespace: str, name: str, at: datetime) -> LineageDataset:
        """The dataset known as (namespace, name), created when first seen; its seen-times widened."""
        key = name_key(namespace, name)
        row = self.datasets.get(key)
        if row is None:
            row = self.session.exec(
                select(LineageDataset)
                .join(LineageDatasetName, LineageDatasetName.dataset_id == LineageDataset.id)
                .where(LineageDatasetName.key == key)
            ).first()
        if row is None:
            row = LineageDataset(
                key=key, namespace=namespace, name=name, created_at=at, updated_at=at, **_EMPTY_DATASET
            )
            insert_now(self.session, row)
            insert_now(
                self.session,
                LineageDatasetName(
                    key=key, namespace=namespace, name=name, dataset_id=row.id, kind="primary"
                ),
            )
            self.created.add(row.id)
        else:
            _widen(row, at)
        self.datasets[key] = row
        return row

    def forget(self, row: LineageDataset) -> None:
        """Drop a dataset merged into another (its names now resolve to the survivor)."""
        for key in [k for k, cached in self.datasets.items() if cached is row]:
            del self.datasets[key]

    def job(self, namespace: str, name: str, at: datetime) -> LineageJob:
        """The job (namespace, name), created when first seen."""
        key = name_key(namespace, name)
        row = self.jobs.get(key) or self.session.exec(select(LineageJob).where(LineageJob.key == key)).first()
        if row is None:
            row = LineageJob(
                key=key,
                namespace=namespace,
                name=name,
                created_at=at,
                updated_at=at,
                facets={},
                facet_stamps={},
            )
            insert_now(self.session, row)
        else:
            _widen(row, at)
        self.jobs[key] = row
        return row

    def run(self, run_id: str, job_id: int, at: datetime, *, static: bool = False) -> LineageRun:
        """The run, created on its first event; first/last event times widened."""
        if run_id not in self.runs:
            self._load(LineageRun, self.runs, [run_id])
        row = self.runs[run_id]
        if row is None:
            row = LineageRun(
                id=run_id, job_id=job_id, is_static=static, first_event_at=at, last_event_at=at, sort_at=at
            )
            self.session.add(row)
            self.runs[run_id] = row
            return row
        row.first_event_at, row.last_event_at = min(row.first_event_at, at), max(row.last_event_at, at)
        row.sort_at = row.started_at or row.first_event_at
        return row

    def version(
        self, version_id: str, dataset_id: int, run_id: str | None, at: datetime
    ) -> LineageDatasetVersion:
        """The dataset version, created when first seen."""
        if version_id not in self.versions:
            self._load(LineageDatasetVersion, self.versions, [version_id])
        row = self.versions[version_id]
        if row is None:
            row = LineageDatasetVersion(
                id=version_id, dataset_id=dataset_id, run_id=run_id, created_at=at, fields=[]
            )
            self.session.add(row)
            self.versions[version_id] = row
        elif at < row.created_at:
            row.created_at = at
        return row


def insert_now(session: Session, row) -> None:
    """Insert a new row at once and attach it to the session as if loaded (its id is needed now).

    A flush would do, but it also writes every change made so far, one statement each; this way those
    wait for the batch's single flush, where equal updates go out together.
    """
    table = type(row).__table__
    values = {c.name: getattr(row, c.name) for c in table.columns if c.name != "id" or row.id is not None}
    if "id" in table.c and row.id is None:
        row.id = session.execute(sa.insert(table).returning(table.c.id), values).scalar_one()
    else:
        session.execute(sa.insert(table), values)
    make_transient_to_detached(row)
    session.add(row)


def _widen(row, at: datetime) -> None:
    # Assign only on change: every ORM attribute write costs change tracking.
    if at < row.created_at:
        row.created_at = at
    if at > row.updated_at:
        row.updated_at = at


def names_in(event: dict[str, Any]) -> set[tuple[str, str]]:
    """Every dataset name an event mentions (datasets, column-lineage inputs, symlinks, former names)."""
    refs: list[dict] = [*(event.get("inputs") or []), *(event.get("outputs") or [])]
    if isinstance(event.get("dataset"), dict):
        refs.append(event["dataset"])
    out = set()
    for ref in refs:
        out.add((ref["namespace"], ref["name"]))
        facets = ref.get("facets") or {}
        lineage = facets.get("columnLineage") or {}
        for spec in (lineage.get("fields") or {}).values():
            out.update((i["namespace"], i["name"]) for i in spec.get("inputFields") or [])
        out.update((i["namespace"], i["name"]) for i in lineage.get("dataset") or [])
        out.update(
            (i["namespace"], i["name"]) for i in (facets.get("symlinks") or {}).get("identifiers") or []
        )
    return out
