"""Impact analysis: everything downstream of a dataset, job or column, and whom to tell.

Owners come from the catalogue when it knows the dataset (`owners_of`), else from the `ownership`
facets the producers sent; job owners from the jobs' `ownership` facets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session

from lineage import nodeid
from lineage.catalog_sync import catalogue_owners
from lineage.column_graph import start_fields, walk_fields
from lineage.graph import MAX_DEPTH, check_limits, rows_by_id
from lineage.graph_walk import walk_current
from lineage.models import LineageDataset
from lineage.models_graph import LineageJob

OwnersOf = Callable[[Session, LineageDataset], list[tuple[str, str | None]]]


@dataclass(frozen=True)
class Impacted:
    """A downstream dataset or job, how many jobs away, and its owners."""

    node_id: str
    namespace: str
    name: str
    level: int
    owners: list[tuple[str, str | None]]
    deleted: bool = False


@dataclass(frozen=True)
class ImpactedField:
    """A downstream column and how many field hops away it is."""

    node_id: str
    namespace: str
    dataset: str
    field: str
    level: int


@dataclass
class ImpactReport:
    """The downstream blast radius of a node and the owners to notify (owner -> node ids)."""

    node_id: str
    datasets: list[Impacted] = field(default_factory=list)
    jobs: list[Impacted] = field(default_factory=list)
    fields: list[ImpactedField] = field(default_factory=list)
    notify: dict[tuple[str, str | None], list[str]] = field(default_factory=dict)
    truncated: bool = False
    truncated_reason: str | None = None


def _job_owners(job: LineageJob) -> list[tuple[str, str | None]]:
    return [(o["name"], o.get("type")) for o in (job.facets.get("ownership") or {}).get("owners") or []]


def impact(
    session: Session,
    *,
    node_id: str,
    depth: int | None = None,
    max_nodes: int | None = None,
    owners_of: OwnersOf = catalogue_owners,
) -> ImpactReport:
    """Downstream datasets, jobs (and columns, for a datasetField node) with their owners."""
    depth, max_nodes, capped = check_limits(MAX_DEPTH if depth is None else depth, max_nodes)
    node = nodeid.resolve(session, node_id)
    report = ImpactReport(node_id=node.id)
    if node.field is not None:
        found = walk_fields(
            session,
            start_fields(session, node),
            depth=depth,
            upstream=False,
            downstream=True,
            max_nodes=max_nodes,
        )
        dataset_levels: dict[int, int] = {}
        job_levels: dict[int, int] = {}
        datasets = rows_by_id(session, LineageDataset, {d for d, _ in found.fields})
        for (ds_id, name), level in sorted(found.fields.items(), key=lambda kv: kv[1]):
            if level == 0:
                continue
            ds = datasets[ds_id]
            report.fields.append(
                ImpactedField(
                    nodeid.field_id(ds.namespace, ds.name, name), ds.namespace, ds.name, name, level
                )
            )
            dataset_levels.setdefault(ds_id, level)
        for edge in found.edges.values():
            if edge.job_id is not None and (edge.out_dataset_id, edge.out_field) in found.fields:
                level = found.fields[edge.out_dataset_id, edge.out_field]
                job_levels[edge.job_id] = min(job_levels.get(edge.job_id, level), level)
        truncated = found.truncated
    else:
        kind, start = ("job", node.job.id) if node.job is not None else ("dataset", node.dataset.id)
        walked = walk_current(
            session,
            kind=kind,
            start=start,
            depth=depth,
            direction="downstream",
            max_nodes=max_nodes,
        )
        dataset_levels = {
            d: lvl for d, lvl in walked.datasets.items() if not (kind == "dataset" and d == start)
        }
        job_levels = {j: lvl for j, lvl in walked.jobs.items() if not (kind == "job" and j == start)}
        truncated = walked.truncated
    _fill(session, report, dataset_levels, job_levels, owners_of)
    report.truncated = truncated or capped is not None
    report.truncated_reason = f"node limit {max_nodes} reached" if truncated else capped
    return report


def _fill(session: Session, report: ImpactReport, dataset_levels, job_levels, owners_of: OwnersOf) -> None:
    for ds in rows_by_id(session, LineageDataset, dataset_levels).values():
        owners = owners_of(session, ds)
        report.datasets.append(
            Impacted(
                nodeid.dataset_id(ds.namespace, ds.name),
                ds.namespace,
                ds.name,
                dataset_levels[ds.id],
                owners,
                ds.dropped,
            )
        )
    for job in rows_by_id(session, LineageJob, job_levels).values():
        report.jobs.append(
            Impacted(
                nodeid.job_id(job.namespace, job.name),
                job.namespace,
                job.name,
                job_levels[job.id],
                _job_owners(job),
            )
        )
    report.datasets.sort(key=lambda i: (i.level, i.node_id))
    report.jobs.sort(key=lambda i: (i.level, i.node_id))
    for item in [*report.datasets, *report.jobs]:
        for owner in item.owners:
            report.notify.setdefault(owner, []).append(item.node_id)
