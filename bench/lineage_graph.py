"""Lineage graph query at depth 10 on 100,000 datasets and 300,000 edges: p50/p99 on SQLite and PostgreSQL.

The graph is layered like real pipelines: 20 layers of 5,000 datasets; each dataset beyond the first
layer is written by its own job that reads the dataset at the same position one layer up and one a few
positions away (3 in 19 jobs read a third one further away): 100,000 datasets, 95,000 jobs, 300,000 edges. Measured per start node (datasets of the middle
layers): the service query (`lineage_graph`, both directions, depth 10, with node data), the bare
walk alone done both ways: breadth-first with one IN-list query per level, and recursive CTEs (the one
the product uses, as it measured faster on both databases). Baseline: the same walk in memory in
Python over the loaded edge list.
"""

from __future__ import annotations

import gc
import os
import random
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bench.runner import BenchOptions, Figure, percentile
from core import migrate
from core.db import Database
from core.settings import Settings
from lineage.graph import lineage_graph
from lineage.graph_walk import CurrentEdges, walk, walk_current
from lineage.storage import name_key

LAYERS, WIDTH, DEPTH, NS = 20, 5000, 10, "postgres://warehouse:5432"
PG_URL = os.environ.get("CONCORD_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def build_graph(width: int, layers: int, seed: int = 7) -> tuple[list[tuple[int, int, int]], int]:
    """(job, direction, dataset) edges as ids; dataset id = layer * width + position + 1."""
    rng = random.Random(seed)
    edges: list[tuple[int, int, int]] = []
    job = 0
    for layer in range(1, layers):
        for pos in range(width):
            job += 1
            out = layer * width + pos + 1
            same = (layer - 1) * width + pos + 1
            near = (layer - 1) * width + (pos + rng.randint(1, 3)) % width + 1
            edges += [(job, 0, same), (job, 0, near), (job, 1, out)]
            if job % 19 in (0, 6, 12):  # 3 in 19 jobs read a third input: 300,000 edges in all
                edges.append((job, 0, (layer - 1) * width + (pos + rng.randint(4, 40)) % width + 1))
    return edges, job


def load(db: Database, width: int, layers: int) -> tuple[list[tuple[int, int, int]], int]:
    """Bulk-load datasets, their names, jobs and current edges."""
    edges, jobs = build_graph(width, layers)
    at = datetime(2024, 1, 1, tzinfo=UTC)
    names = [f"layer{d // width}.t{d % width}" for d in range(width * layers)]
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO lineage_dataset (id, key, namespace, name, fields, facets, facet_stamps, owners, "
                "dropped, created_at, updated_at) VALUES (:id, :key, :ns, :name, '[]', '{}', '{}', '[]', false, :at, :at)"
            ),
            [
                {"id": i + 1, "key": name_key(NS, n), "ns": NS, "name": n, "at": at}
                for i, n in enumerate(names)
            ],
        )
        conn.execute(
            sa.text(
                "INSERT INTO lineage_dataset_name (key, namespace, name, dataset_id, kind) VALUES (:key, :ns, :name, :id, 'primary')"
            ),
            [{"id": i + 1, "key": name_key(NS, n), "ns": NS, "name": n} for i, n in enumerate(names)],
        )
        conn.execute(
            sa.text(
                "INSERT INTO lineage_job (id, key, namespace, name, facets, facet_stamps, created_at, updated_at) "
                "VALUES (:id, :key, 'etl', :name, '{}', '{}', :at, :at)"
            ),
            [
                {"id": j, "key": name_key("etl", f"job{j}"), "name": f"job{j}", "at": at}
                for j in range(1, jobs + 1)
            ],
        )
        conn.execute(
            sa.text("INSERT INTO lineage_edge (job_id, direction, dataset_id) VALUES (:j, :d, :ds)"),
            [{"j": j, "d": "out" if d else "in", "ds": ds} for j, d, ds in edges],
        )
        if db.dialect == "postgresql":
            conn.execute(sa.text("ANALYZE"))
    return edges, jobs


def memory_walk(down_jobs, job_outs, up_jobs, job_ins, start: int, depth: int) -> int:
    """The same both-direction walk over Python dicts: node count."""
    seen_d, seen_j = {start}, set()
    for jobs_of, datasets_of in ((down_jobs, job_outs), (up_jobs, job_ins)):
        frontier, visited = [start], {start}
        for _ in range(depth):
            next_jobs = {j for d in frontier for j in jobs_of.get(d, ())} - seen_j
            seen_j |= next_jobs
            frontier = [d for j in next_jobs for d in datasets_of[j] if d not in visited]
            visited.update(frontier)
            seen_d.update(frontier)
            if not frontier:
                break
    return len(seen_d) + len(seen_j)


def measure(db: Database, starts: list[int], edges, label: str) -> list[Figure]:
    """p50/p99 of the service query, the BFS walk and the CTE walk, with the in-memory baseline."""
    down_jobs, up_jobs, job_outs, job_ins = (
        defaultdict(list),
        defaultdict(list),
        defaultdict(list),
        defaultdict(list),
    )
    for j, d, ds in edges:
        (job_outs[j] if d else job_ins[j]).append(ds)
        (up_jobs if d else down_jobs)[ds].append(j)
    # The baseline's ~500,000 objects are not the service's: without this every full garbage collection
    # during a service query walks them too (about 100 ms each), which is what set the service's p99.
    gc.freeze()
    timings: dict[str, list[float]] = defaultdict(list)
    sizes = []
    with db.session() as session:
        for start in starts[:5]:  # warm the caches and the connection first
            walk_current(session, kind="dataset", start=start, depth=DEPTH, direction="both", max_nodes=2000)
        for start in starts:
            name = f"layer{(start - 1) // WIDTH}.t{(start - 1) % WIDTH}"
            t0 = time.perf_counter()
            graph = lineage_graph(session, node_id=f"dataset:{NS}:{name}", depth=DEPTH, direction="both")
            t1 = time.perf_counter()
            walk(
                CurrentEdges(session),
                kind="dataset",
                start=start,
                depth=DEPTH,
                direction="both",
                max_nodes=10_000,
            )
            t2 = time.perf_counter()
            walked = walk_current(
                session, kind="dataset", start=start, depth=DEPTH, direction="both", max_nodes=10_000
            )
            t3 = time.perf_counter()
            memory_walk(down_jobs, job_outs, up_jobs, job_ins, start, DEPTH)
            t4 = time.perf_counter()
            timings["query"].append((t1 - t0) * 1000)
            timings["bfs"].append((t2 - t1) * 1000)
            timings["cte"].append((t3 - t2) * 1000)
            timings["memory"].append((t4 - t3) * 1000)
            sizes.append((len(graph.graph), walked.size))
    gc.unfreeze()
    mem50, mem99 = percentile(timings["memory"], 50), percentile(timings["memory"], 99)
    ordered = sorted(s for s, _ in sizes)
    note = f"{len(starts)} start nodes; nodes per graph median {ordered[len(ordered) // 2]}, max {ordered[-1]}; load {os.getloadavg()[0]:.1f}"
    figures = []
    for key, title in (
        ("query", "lineage query (service: CTE walk + node data)"),
        ("bfs", "walk only, breadth-first IN-lists per level"),
        ("cte", "walk only, recursive CTE (the one used)"),
    ):
        for p, base in ((50, mem50), (99, mem99)):
            figures.append(
                Figure(
                    f"{label}: {title} p{p}",
                    percentile(timings[key], p),
                    "ms",
                    baseline_name=f"in-memory walk p{p}",
                    baseline_value=base,
                    higher_is_better=False,
                    goal="p99 < 100 ms" if key == "query" and p == 99 else None,
                    notes=note,
                )
            )
    return figures


def _sqlite(tmp: Path) -> Database:
    db = Database(Settings.from_env({}, instance_path=tmp))
    migrate.upgrade(db)
    return db


def _postgres(tmp: Path) -> tuple[Database, str] | None:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = sa.create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
    except sa.exc.OperationalError:
        return None
    settings = Settings.from_env({}, instance_path=tmp, database_url=PG_URL)
    engine = sa.create_engine(settings.database_url, connect_args={"options": f"-c search_path={schema}"})
    db = Database(settings, engine=engine)
    migrate.upgrade(db)
    return db, schema


def run(options: BenchOptions) -> list[Figure]:
    """Build the graph on SQLite and PostgreSQL, query it from random middle-layer datasets."""
    queries = max(20, int(200 * options.scale))
    rng = random.Random(11)
    starts = [rng.randint(5, 14) * WIDTH + rng.randrange(WIDTH) + 1 for _ in range(queries)]
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = _sqlite(Path(tmp))
        t0 = time.perf_counter()
        edges, _ = load(db, WIDTH, LAYERS)
        load_s = time.perf_counter() - t0
        figures += measure(db, starts, edges, "SQLite")
        figures[-1].notes += f"; {len(edges):,} edges loaded in {load_s:.1f} s"
        db.dispose()
        made = _postgres(Path(tmp))
        if made is None:
            figures.append(Figure("PostgreSQL: not reachable, skipped", 0, "-", notes=PG_URL))
            return figures
        pg, schema = made
        try:
            load(pg, WIDTH, LAYERS)
            figures += measure(pg, starts, edges, "PostgreSQL")
        finally:
            pg.dispose()
            admin = sa.create_engine(PG_URL)
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    return figures
