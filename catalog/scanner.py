"""Scanning a registered source: every table and view into the catalogue, all or nothing per scan.

The source is read first, outside any catalogue transaction; only then are the differences written
in one transaction (new, changed and dropped tables, samples, classification suggestions, the scan
record and its audit entry). A source that cannot be read changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from catalog.classification.rule_store import active_rules
from catalog.classification.service import suggest_for_columns
from catalog.introspect import TableInfo, read_source
from catalog.models import CatalogDataset, CatalogOwner
from catalog.models_governance import CatalogColumnClass
from catalog.models_ops import CatalogScan, CatalogSource
from catalog.registry import parse_owner
from catalog.results import ColumnSpec
from catalog.search.index import reindex
from catalog.sources import connect_url, get_source_row
from catalog.versions import Pending, apply_columns, column_rows, latest_versions
from core import audit, clock
from core.audit import Actor
from core.dataset_names import dataset_name
from core.errors import ConcordError
from core.ids import new_id
from core.openlineage import NULL_EMITTER, DatasetRef, Emitter

SAMPLE_KEEP = 20
AUDIT_NAMES = 200
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ScanResult:
    """What a scan found and changed."""

    scan_id: str
    source: str
    namespace: str
    run_id: str
    tables: int
    added: list[str]
    changed: list[str]
    dropped: list[str]
    unchanged: int
    suggested_classes: int
    started_at: datetime
    finished_at: datetime


def scan_source(
    session: Session,
    *,
    name: str,
    actor: Actor,
    emitter: Emitter = NULL_EMITTER,
    progress: Progress | None = None,
) -> ScanResult:
    """Scan the source `name`; Unavailable (nothing changed) when it cannot be read."""
    source = get_source_row(session, name)
    url = connect_url(source)
    started = clock.now()
    # Read what the scan needs first: after the rollback below, touching `source` would reload it and
    # open a new transaction (a write lock on SQLite) for the whole time the source is being read.
    source_id, source_name, source_namespace = source.id, source.name, source.namespace
    schemas, sample_rows = list(source.schemas or []), source.sample_rows
    # End the read transaction: the catalogue must not stay locked while a slow source is read.
    session.rollback()
    job = f"catalog.scan.{source_name}"
    try:
        tables = read_source(
            url, source=source_name, schemas=schemas, sample_rows=sample_rows, progress=progress
        )
    except ConcordError:
        with emitter.run(job):  # the failed attempt shows in the lineage graph too
            raise
    refs = [  # built only when someone listens: a 2,000-table scan makes 2,000 facets
        DatasetRef(
            source_namespace,
            dataset_name(url, t.schema, t.name),
            columns=[(c["name"], c["type"]) for c in t.columns],
        )
        for t in tables
        if emitter.enabled
    ]
    with emitter.run(job, inputs=refs) as run:
        source = session.get(CatalogSource, source_id)
        result = _apply(session, source, url, tables, actor=actor, run_id=run.run_id, started=started)
        session.commit()
    return result


def _prefetch(session: Session, table, ids: list[str]) -> dict[str, list]:
    grouped: dict[str, list] = defaultdict(list)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for row in session.exec(select(table).where(table.dataset_id.in_(chunk))):
            grouped[row.dataset_id].append(row)
    return grouped


def _keep(values: list[str | None]) -> list[str]:
    out: list[str] = []
    for v in values:
        if v is not None and v not in out:
            out.append(v)
            if len(out) == SAMPLE_KEEP:
                break
    return out


def _apply(
    session, source: CatalogSource, url: sa.URL, tables: list[TableInfo], *, actor, run_id, started
) -> ScanResult:
    now, ns = clock.now(), source.namespace
    existing = {r.name: r for r in session.exec(select(CatalogDataset).where(CatalogDataset.namespace == ns))}
    columns = column_rows(session, [r.id for r in existing.values()])
    latest = latest_versions(session, list(existing.values()))
    classes = _prefetch(session, CatalogColumnClass, [r.id for r in existing.values()])
    rules = active_rules(session)
    owner = parse_owner(source.owner, "owner", "owner") if source.owner else None
    added, changed, dirty, suggested, unchanged = [], [], set(), 0, 0
    named = [(dataset_name(url, t.schema, t.name), t) for t in tables]
    for name, table in named:
        if name not in existing:
            existing[name] = CatalogDataset(
                id=new_id("ds"),
                namespace=ns,
                name=name,
                origin="scan",
                kind=table.kind,
                created_at=now,
                updated_at=now,
                last_updated_at=now,
                last_update_source="scan",
            )
            session.add(existing[name])
            added.append(name)
    new_names, owners, pending = set(added), [], Pending()
    session.flush()
    # One flush at the end, not one per statement: the scan writes thousands of rows.
    with session.no_autoflush:
        for name, table in named:
            row = existing[name]
            is_new = name in new_names
            touched = _update_row(row, source, table, now)
            specs = [
                ColumnSpec(c["name"], c["type"], c.get("comment"), i + 1) for i, c in enumerate(table.columns)
            ]
            version = apply_columns(
                session,
                row,
                specs,
                origin="scan",
                actor_label=actor.label,
                existing=columns.get(row.id, []),
                samples={c: _keep(v) for c, v in table.sample.items()},
                nullables={c["name"]: c["nullable"] for c in table.columns if c.get("nullable") is not None},
                pending=pending,
                latest=latest,
            )
            new = suggest_for_columns(
                session,
                row.id,
                [(c["name"], table.sample.get(c["name"])) for c in table.columns],
                rules,
                existing=classes.get(row.id, []),
                pending=pending,
            )
            suggested += new
            if owner and is_new:
                owners.append(
                    {
                        "dataset_id": row.id,
                        "owner": owner.name,
                        "kind": owner.kind,
                        "role": owner.role,
                        "origin": "scan",
                    }
                )
            if version and not is_new:
                changed.append(name)
            elif not is_new:
                unchanged += 1
            if is_new or version or touched or new:
                row.updated_at = now
                dirty.add(row.id)
            session.add(row)
    pending.write(session)
    if owners:
        session.execute(sa.insert(CatalogOwner.__table__), owners)
    seen = {n for n, _ in named}
    dropped = [
        n for n, r in existing.items() if n not in seen and r.status == "active" and _in_scope(source, url, n)
    ]
    for n in dropped:
        existing[n].status, existing[n].dropped_at, existing[n].updated_at = "dropped", now, now
        dirty.add(existing[n].id)
    session.flush()
    reindex(session, sorted(dirty))
    return _record(
        session, source, run_id, started, len(tables), added, changed, dropped, unchanged, suggested, actor
    )


def _update_row(row: CatalogDataset, source: CatalogSource, table: TableInfo, now) -> bool:
    """Scan facts on the dataset row; True when something the index shows changed."""
    touched = False
    if row.status == "dropped":
        row.status, row.dropped_at, touched = "active", None, True
    if row.source_system is None:
        row.source_system, touched = source.name, True
    if table.comment and row.description_source != "steward" and row.description != table.comment:
        row.description, row.description_source, touched = table.comment, "scan", True
    if row.kind != table.kind:
        row.kind, touched = table.kind, True
    if row.expected_update_seconds is None and source.expected_update_seconds:
        row.expected_update_seconds = source.expected_update_seconds
    if table.row_count is not None and table.row_count != row.row_count:
        # A changed row count is the scan's evidence that the table was written since the last scan.
        row.row_count, row.last_updated_at, row.last_update_source = table.row_count, now, "scan"
        if row.stale:
            row.stale, row.stale_since, touched = False, None, True
    return touched


def _in_scope(source: CatalogSource, url: sa.URL, name: str) -> bool:
    """Whether a dataset name belongs to the schemas this scan covered."""
    if source.dialect == "sqlite" or not source.schemas:
        return True
    return any(name.startswith(f"{url.database}.{s}.") for s in source.schemas)


def _record(
    session, source, run_id, started, tables, added, changed, dropped, unchanged, suggested, actor
) -> ScanResult:
    finished = clock.now()
    scan = CatalogScan(
        id=new_id("scan"),
        source_id=source.id,
        run_id=run_id,
        started_at=started,
        finished_at=finished,
        tables=tables,
        added=len(added),
        changed=len(changed),
        dropped=len(dropped),
        unchanged=unchanged,
        suggested_classes=suggested,
        by=actor.label,
        details={
            "added": added[:AUDIT_NAMES],
            "changed": changed[:AUDIT_NAMES],
            "dropped": dropped[:AUDIT_NAMES],
        },
    )
    source.last_scan_at = finished
    session.add(scan)
    session.add(source)
    audit.record(
        session,
        actor,
        "source.scan",
        "source",
        source.id,
        {
            "scan": scan.id,
            "tables": tables,
            "added": len(added),
            "changed": len(changed),
            "dropped": len(dropped),
        },
    )
    return ScanResult(
        scan_id=scan.id,
        source=source.name,
        namespace=source.namespace,
        run_id=run_id,
        tables=tables,
        added=added,
        changed=changed,
        dropped=dropped,
        unchanged=unchanged,
        suggested_classes=suggested,
        started_at=started,
        finished_at=finished,
    )


def scan_history(session: Session, *, name: str, limit: int = 20) -> list[CatalogScan]:
    """The source's completed scans, newest first."""
    source = get_source_row(session, name)
    query = (
        select(CatalogScan).where(CatalogScan.source_id == source.id).order_by(CatalogScan.finished_at.desc())
    )
    return list(session.exec(query.limit(limit)))
