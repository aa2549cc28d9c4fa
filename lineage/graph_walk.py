"""Breadth-first walks over the job/dataset graph: two indexed IN-list queries per level and direction.

Depth counts jobs, as in Marquez: from a dataset, depth 1 reaches the jobs that read (or write) it and
the datasets those jobs write (or read). The walk stops at the depth or when the node budget is spent.
An edge source gives the adjacency: the current graph here, the graph at an instant in
`lineage.point_in_time`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import Session

from lineage.models_graph import LineageEdge
from lineage.storage import io_rows, rows_in

# Reading datasets downstream means following `in` edges to jobs, then `out` edges to datasets.
DATASET_TO_JOB = {"downstream": "in", "upstream": "out"}
JOB_TO_DATASET = {"downstream": "out", "upstream": "in"}


class EdgeSource(Protocol):
    """Adjacency between datasets and jobs."""

    def from_datasets(self, dataset_ids: Iterable[int], direction: str) -> list[tuple[int, int]]:
        """(job_id, dataset_id) for edges of `direction` touching these datasets."""
        ...

    def from_jobs(self, job_ids: Iterable[int], direction: str | None = None) -> list[tuple[int, str, int]]:
        """(job_id, direction, dataset_id) for these jobs' edges (of `direction`, or all)."""
        ...


class CurrentEdges:
    """The current graph (`lineage_edge`)."""

    def __init__(self, session: Session):
        self.session = session
        self.table = LineageEdge.__table__

    def from_datasets(self, dataset_ids: Iterable[int], direction: str) -> list[tuple[int, int]]:
        t = self.table
        return rows_in(
            self.session,
            dataset_ids,
            lambda batch: sa.select(t.c.job_id, t.c.dataset_id).where(
                t.c.dataset_id.in_(batch), t.c.direction == direction
            ),
        )

    def from_jobs(self, job_ids: Iterable[int], direction: str | None = None) -> list[tuple[int, str, int]]:
        return io_rows(self.session, self.table, "job_id", job_ids, direction)


@dataclass
class Walk:
    """Nodes reached, each with the level it was first reached at (0 = the start node)."""

    datasets: dict[int, int] = field(default_factory=dict)
    jobs: dict[int, int] = field(default_factory=dict)
    truncated: bool = False
    max_nodes: int = 0

    @property
    def size(self) -> int:
        return len(self.datasets) + len(self.jobs)

    def _add(self, bucket: dict[int, int], ids: Iterable[int], level: int) -> list[int]:
        added = []
        for node in ids:
            if node in bucket:
                bucket[node] = min(bucket[node], level)  # reached both ways: the nearer level counts
                continue
            if self.size >= self.max_nodes:
                self.truncated = True
                break
            bucket[node] = level
            added.append(node)
        return added


def walk(edges: EdgeSource, *, kind: str, start: int, depth: int, direction: str, max_nodes: int) -> Walk:
    """Walk from a dataset or job `start` upstream, downstream or both, up to `depth` jobs away."""
    result = Walk(max_nodes=max_nodes)
    (result.datasets if kind == "dataset" else result.jobs)[start] = 0
    for way in ("upstream", "downstream") if direction == "both" else (direction,):
        _walk_one(edges, result, kind, start, depth, way)
    return result


def _walk_one(edges: EdgeSource, result: Walk, kind: str, start: int, depth: int, way: str) -> None:
    seen_datasets = {start} if kind == "dataset" else set()
    seen_jobs = {start} if kind == "job" else set()
    frontier_jobs = [start] if kind == "job" else []
    frontier_datasets = [start] if kind == "dataset" else []
    for level in range(1, depth + 1):
        if frontier_datasets:
            found = {job for job, _ in edges.from_datasets(frontier_datasets, DATASET_TO_JOB[way])}
            frontier_jobs = sorted(found - seen_jobs)
            seen_jobs.update(frontier_jobs)
            result._add(result.jobs, frontier_jobs, level)
        if not frontier_jobs or result.truncated:
            return
        found = {ds for _, _, ds in edges.from_jobs(frontier_jobs, JOB_TO_DATASET[way])}
        frontier_datasets = sorted(found - seen_datasets)
        seen_datasets.update(frontier_datasets)
        result._add(result.datasets, frontier_datasets, level)
        frontier_jobs = []
        if not frontier_datasets or result.truncated:
            return


# One recursive query per direction over the indexed current edges: each row is a dataset reached,
# the job it was reached through and how many jobs away. A job with no further datasets still
# yields a row (dataset NULL). UNION drops repeated rows; the LIMIT bounds pathological fan-outs
# (rows come out breadth-first, so the cut falls on the farthest level).
_CTE = """
WITH RECURSIVE walk(dataset_id, job_id, depth) AS (
  {start}
  UNION
  SELECT nxt.dataset_id, hop.job_id, walk.depth + 1
  FROM walk
  JOIN lineage_edge hop ON hop.dataset_id = walk.dataset_id AND hop.direction = :to_job
  LEFT JOIN lineage_edge nxt ON nxt.job_id = hop.job_id AND nxt.direction = :to_dataset
  WHERE walk.depth < :depth
)
SELECT dataset_id, job_id, depth FROM walk LIMIT :rows
"""
_FROM_DATASET = "SELECT CAST(:start AS INTEGER), CAST(NULL AS INTEGER), 0"
_FROM_JOB = (
    "SELECT first.dataset_id, first.job_id, 1 FROM lineage_edge first "
    "WHERE first.job_id = :start AND first.direction = :to_dataset AND :depth > 0"
)
_QUERIES = {
    kind: sa.text(_CTE.format(start=start))
    for kind, start in (("dataset", _FROM_DATASET), ("job", _FROM_JOB))
}
ROWS_PER_NODE = 4


def walk_current(
    session: Session, *, kind: str, start: int, depth: int, direction: str, max_nodes: int
) -> Walk:
    """The same walk as `walk` over the current graph, as recursive CTEs (measured faster: bench/lineage_graph)."""
    result = Walk(max_nodes=max_nodes)
    (result.datasets if kind == "dataset" else result.jobs)[start] = 0
    rows: list[tuple[int | None, int | None, int]] = []
    for way in ("upstream", "downstream") if direction == "both" else (direction,):
        params = {
            "start": start,
            "depth": depth,
            "to_job": DATASET_TO_JOB[way],
            "to_dataset": JOB_TO_DATASET[way],
            "rows": max_nodes * ROWS_PER_NODE,
        }
        found = session.execute(_QUERIES[kind], params).all()
        result.truncated |= len(found) >= params["rows"]
        rows += found
    rows.sort(key=lambda r: r[2])  # nearest first, so a node cap keeps the closest nodes
    for dataset_id, job_id, level in rows:
        if job_id is not None:
            result._add(result.jobs, [job_id], level)
        if dataset_id is not None:
            result._add(result.datasets, [dataset_id], level)
    return result


def walk_edges(edges: EdgeSource, **kwargs) -> Walk:
    """Walk any edge source: the recursive query for the current graph, breadth-first otherwise."""
    if isinstance(edges, CurrentEdges):
        return walk_current(edges.session, **kwargs)
    return walk(edges, **kwargs)
