"""Catalogue benchmark: search latency over 50,000 datasets / 1,000,000 columns (SQLite and PostgreSQL),
and scanner throughput on a 2,000-table source database.

Baselines measured in the same run: a plain `LIKE '%word%'` scan over dataset names, the raw full-text
match without ranking or facets, and for the scanner a bare `sqlite_master` + `PRAGMA table_info` loop.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from app import build_runtime
from bench.catalog_data import insert_catalogue, queries, write_source
from bench.runner import BenchOptions, Figure, percentile, timed
from catalog.scanner import scan_source
from catalog.search import backend_postgres, backend_sqlite
from catalog.search.index import rebuild
from catalog.search.service import search, suggest
from catalog.search.text import query_tokens
from catalog.sources import register_source
from core import migrate
from core.audit import SYSTEM
from core.db import Database
from core.settings import Settings

PG_URL = os.environ.get("CONCORD_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
QUERIES = 400
WARMUP = 40


def run(options: BenchOptions) -> list[Figure]:
    """Search p50/p99 on both databases, index build time, scan throughput."""
    datasets = max(100, int(50_000 * options.scale))
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        runtime = build_runtime(Settings.from_env({}, instance_path=Path(tmp)))
        migrate.upgrade(runtime.db)
        figures += _search_figures(runtime.db, "SQLite", datasets)
        figures += _scan_figures(runtime.db, Path(tmp), max(50, int(2000 * options.scale)))
        runtime.close()
    pg = _pg_database(Path(tempfile.gettempdir()))
    if pg is None:
        figures.append(
            Figure("PostgreSQL search", float("nan"), "ms", notes=f"PostgreSQL unreachable at {PG_URL}")
        )
        return figures
    db, schema = pg
    try:
        figures += _search_figures(db, "PostgreSQL", datasets)
    finally:
        _drop_schema(db, schema)
    return figures


def _pg_database(instance: Path) -> tuple[Database, str] | None:
    schema = f"bench_catalog_{uuid.uuid4().hex[:8]}"
    try:
        admin = sa.create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
    except sa.exc.OperationalError:
        return None
    settings = Settings.from_env({}, instance_path=instance, database_url=PG_URL)
    engine = sa.create_engine(PG_URL, connect_args={"options": f"-c search_path={schema}"})
    db = Database(settings, engine=engine)
    migrate.upgrade(db)
    return db, schema


def _drop_schema(db: Database, schema: str) -> None:
    db.dispose()
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _latencies(fn, items) -> list[float]:
    for item in items[:WARMUP]:
        fn(item)
    out = []
    for item in items[WARMUP:]:
        start = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - start) * 1000)
    return out


def _search_figures(db: Database, label: str, datasets: int) -> list[Figure]:
    columns = insert_catalogue(db.engine, datasets, columns_per=20)
    with db.session(write=True) as session:
        build_s, _ = timed(lambda: rebuild(session))
        session.commit()
    mix = queries(QUERIES + WARMUP)
    engine = backend_sqlite if db.dialect == "sqlite" else backend_postgres

    def full(item):
        with db.session() as s:
            search(s, q=item[0], filters=item[1])

    def like(item):
        word = (query_tokens(item[0]) or ["customer"])[0]
        with db.engine.connect() as conn:
            conn.execute(
                sa.text("SELECT id FROM catalog_dataset WHERE lower(name) LIKE :p ORDER BY name LIMIT 20"),
                {"p": f"%{word}%"},
            ).all()

    def raw_match(item):
        tokens = query_tokens(item[0]) or ["customer"]
        with db.engine.connect() as conn:
            conn.execute(
                sa.text(f"SELECT doc_id FROM ({engine.matched_ids()}) m LIMIT 20"),
                {"match": engine.match_text(tokens, prefix_last=True)},
            ).all()

    def typeahead(item):
        with db.session() as s:
            suggest(s, q=item[0] or "cust")

    full_ms, like_ms, raw_ms, sug_ms = (_latencies(f, mix) for f in (full, like, raw_match, typeahead))
    size = f"{datasets:,} datasets, {columns:,} columns"
    goal = "p99 < 50 ms" if label == "SQLite" else None
    return [
        Figure(
            f"{label} search p50 (rank + facets)",
            percentile(full_ms, 50),
            "ms",
            "LIKE scan p50",
            percentile(like_ms, 50),
            higher_is_better=False,
            notes=size,
        ),
        Figure(
            f"{label} search p99 (rank + facets)",
            percentile(full_ms, 99),
            "ms",
            "LIKE scan p99",
            percentile(like_ms, 99),
            higher_is_better=False,
            goal=goal,
            notes=size,
        ),
        Figure(
            f"{label} search p99 vs raw full-text match",
            percentile(full_ms, 99),
            "ms",
            "raw match p99 (no rank/facets)",
            percentile(raw_ms, 99),
            higher_is_better=False,
        ),
        Figure(
            f"{label} typeahead suggest p99",
            percentile(sug_ms, 99),
            "ms",
            "LIKE scan p99",
            percentile(like_ms, 99),
            higher_is_better=False,
        ),
        Figure(
            f"{label} search index rebuild",
            datasets / build_s,
            "datasets/s",
            notes=f"{build_s:.1f} s for {size}",
        ),
    ]


def _raw_loop(path: Path) -> int:
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for name in names:
        conn.execute(f'PRAGMA table_info("{name}")').fetchall()
    conn.close()
    return len(names)


def _scan_figures(db: Database, folder: Path, tables: int) -> list[Figure]:
    path = folder / "many_tables.db"
    write_source(path, tables)
    with db.session(write=True) as session:
        register_source(session, name="bench", url=f"sqlite:///{path}", owner="team:bench", actor=SYSTEM)
        first_s, result = timed(lambda: scan_source(session, name="bench", actor=SYSTEM))
        again_s, _ = timed(lambda: scan_source(session, name="bench", actor=SYSTEM))
    raw_s, counted = timed(lambda: _raw_loop(path))
    assert counted == result.tables == tables
    return [
        Figure(
            "scan throughput, first scan (SQLite source)",
            tables / first_s,
            "tables/s",
            "raw sqlite_master + PRAGMA table_info",
            tables / raw_s,
            notes=f"{tables} tables: columns, row counts, 100-row samples, classification, versions, index",
        ),
        Figure(
            "scan throughput, unchanged re-scan",
            tables / again_s,
            "tables/s",
            "raw sqlite_master + PRAGMA table_info",
            tables / raw_s,
        ),
    ]
