"""`GET /api/v1/lineage`: the job/dataset graph around a node, in Marquez's `{"graph": [...]}` shape."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from core.clock import iso
from core.errors import InvalidInput
from lineage import nodeid, presenters
from lineage.graph_walk import CurrentEdges, EdgeSource, walk_edges
from lineage.models import LineageDataset
from lineage.models_graph import LineageJob, LineageRun
from lineage.point_in_time import EdgesAsOf, for_run
from lineage.storage import chunks

DEFAULT_DEPTH = 20
MAX_DEPTH = 50
DEFAULT_MAX_NODES = 2000
MAX_NODES = 10_000
DIRECTIONS = ("upstream", "downstream", "both")


@dataclass
class GraphNode:
    """One node: Marquez id, type (DATASET, JOB, DATASET_FIELD), data, and its edges in the result."""

    id: str
    type: str
    data: dict[str, Any]
    in_edges: list[dict[str, str]] = field(default_factory=list)
    out_edges: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Graph:
    """A lineage graph and how it was cut: depth used, node limit, whether either cut something off."""

    graph: list[GraphNode]
    node_id: str
    depth: int
    direction: str
    max_nodes: int
    truncated: bool = False
    truncated_reason: str | None = None
    as_of: str | None = None
    run_id: str | None = None


def check_limits(depth: int | None, max_nodes: int | None) -> tuple[int, int, str | None]:
    """Depth and node limit within the hard caps; the reason when the request was capped."""
    depth = DEFAULT_DEPTH if depth is None else depth
    max_nodes = DEFAULT_MAX_NODES if max_nodes is None else max_nodes
    if depth < 0:
        raise InvalidInput("depth must be 0 or more", field="depth")
    if max_nodes < 1:
        raise InvalidInput("maxNodes must be 1 or more", field="maxNodes")
    reason = None
    if depth > MAX_DEPTH:
        depth, reason = MAX_DEPTH, f"depth capped at {MAX_DEPTH}"
    if max_nodes > MAX_NODES:
        max_nodes = MAX_NODES
    return depth, max_nodes, reason


def lineage_graph(
    session: Session,
    *,
    node_id: str,
    depth: int | None = None,
    direction: str = "both",
    as_of: datetime | None = None,
    run_id: str | None = None,
    max_nodes: int | None = None,
) -> Graph:
    """The graph around `node_id` (now, at `as_of`, or as run `run_id` saw it); 404 for an unknown node."""
    if direction not in DIRECTIONS:
        raise InvalidInput(f"direction must be one of {', '.join(DIRECTIONS)}", field="direction")
    if as_of is not None and run_id is not None:
        raise InvalidInput("give asOf or runId, not both", field="runId")
    depth, max_nodes, capped = check_limits(depth, max_nodes)
    node = nodeid.resolve(session, node_id)
    edges: EdgeSource = CurrentEdges(session)
    if run_id is not None:
        edges, run = for_run(session, run_id)
        as_of = run.last_event_at
    elif as_of is not None:
        edges = EdgesAsOf(session, as_of)
    kind, start = ("job", node.job.id) if node.job is not None else ("dataset", node.dataset.id)
    found = walk_edges(edges, kind=kind, start=start, depth=depth, direction=direction, max_nodes=max_nodes)
    nodes = assemble(session, edges, found.datasets, found.jobs)
    reason = f"node limit {max_nodes} reached" if found.truncated else capped
    return Graph(
        graph=nodes,
        node_id=node.id
        if node.field is None
        else nodeid.dataset_id(node.dataset.namespace, node.dataset.name),
        depth=depth,
        direction=direction,
        max_nodes=max_nodes,
        truncated=reason is not None,
        truncated_reason=reason,
        as_of=iso(as_of),
        run_id=run_id,
    )


DATASET_COLUMNS = (
    "id",
    "namespace",
    "name",
    "source_name",
    "description",
    "fields",
    "owners",
    "current_version",
    "lifecycle_state",
    "dropped",
    "dropped_at",
    "created_at",
    "updated_at",
    "last_modified_at",
)
JOB_COLUMNS = (
    "id",
    "namespace",
    "name",
    "processing_type",
    "job_type",
    "integration",
    "parent_job_id",
    "created_at",
    "updated_at",
    "description",
    "latest_run_id",
)
RUN_COLUMNS = (
    "id",
    "state",
    "first_event_at",
    "last_event_at",
    "started_at",
    "ended_at",
    "nominal_start",
    "nominal_end",
    "parent_run_id",
)


def assemble(session: Session, edges: EdgeSource, dataset_ids, job_ids) -> list[GraphNode]:
    """Nodes with Marquez data and the edges between them, sorted by id (only the columns shown are read)."""
    datasets = rows_by_id(session, LineageDataset, dataset_ids, DATASET_COLUMNS)
    jobs = rows_by_id(session, LineageJob, job_ids, JOB_COLUMNS)
    job_io = edges.from_jobs(list(jobs))
    names = {d.id: (d.namespace, d.name) for d in datasets.values()}
    outside = {ds for _, _, ds in job_io if ds not in names}
    names.update(
        {
            d.id: (d.namespace, d.name)
            for d in rows_by_id(session, LineageDataset, outside, ("id", "namespace", "name")).values()
        }
    )
    parents = rows_by_id(
        session,
        LineageJob,
        {j.parent_job_id for j in jobs.values() if j.parent_job_id} - set(jobs),
        ("id", "namespace", "name"),
    )
    parents.update(jobs)
    latest = rows_by_id(
        session, LineageRun, {j.latest_run_id for j in jobs.values() if j.latest_run_id}, RUN_COLUMNS
    )
    io: dict[int, dict[str, list]] = defaultdict(lambda: {"in": [], "out": []})
    for job_id, direction, ds in sorted(job_io, key=lambda e: names.get(e[2], ("", ""))):
        if ds in names:
            io[job_id][direction].append(presenters.name_ref(*names[ds]))
    out: dict[tuple[str, int], GraphNode] = {}
    for ds in datasets.values():
        out["d", ds.id] = GraphNode(
            nodeid.dataset_id(ds.namespace, ds.name), "DATASET", presenters.dataset(ds)
        )
    for job in jobs.values():
        data = presenters.job(
            job,
            inputs=io[job.id]["in"],
            outputs=io[job.id]["out"],
            latest_run=latest.get(job.latest_run_id),
            parent=parents.get(job.parent_job_id),
        )
        out["j", job.id] = GraphNode(nodeid.job_id(job.namespace, job.name), "JOB", data)
    for job_id, direction, ds in job_io:
        if ("d", ds) not in out:
            continue
        job_node, ds_node = out["j", job_id], out["d", ds]
        origin, target = (ds_node, job_node) if direction == "in" else (job_node, ds_node)
        edge = {"origin": origin.id, "destination": target.id}
        origin.out_edges.append(edge)
        target.in_edges.append(edge)
    for node in out.values():
        node.in_edges.sort(key=lambda e: e["origin"])
        node.out_edges.sort(key=lambda e: e["destination"])
    return sorted(out.values(), key=lambda n: n.id)


def rows_by_id(session: Session, model, ids, columns: tuple[str, ...] | None = None) -> dict:
    """Rows of `model` by id: ORM objects, or light rows of only `columns` (attribute access alike)."""
    found = {}
    table = model.__table__
    for batch in chunks(sorted(ids, key=str)):
        if columns is None:
            rows = session.exec(select(model).where(model.id.in_(batch))).all()
        else:
            rows = session.execute(
                sa.select(*[table.c[c] for c in columns]).where(table.c.id.in_(batch))
            ).all()
        for row in rows:
            found[row.id] = row
    return found
