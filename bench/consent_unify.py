"""Unification: a full rebuild of 1,000,000 consent records, and the latency of one incremental record."""

from __future__ import annotations

import random
import shutil
import time

import sqlalchemy as sa

from bench import consent_data
from bench.runner import BenchOptions, Figure, percentile, timed
from consent import operations, subjects
from consent.ingest import ingest_events
from core.audit import SYSTEM

NAIVE = """
INSERT INTO bench_naive (subject, channel, purpose, status)
SELECT subject, channel, purpose, status FROM (
  SELECT coalesce(subject, contact_point) AS subject, channel, purpose, status,
         row_number() OVER (PARTITION BY coalesce(subject, contact_point), channel, purpose
                            ORDER BY captured_at DESC) AS rn
  FROM consent_record) WHERE rn = 1
"""


def run(options: BenchOptions) -> list[Figure]:
    """Rebuild records/s against SQL most-recent-wins; one-record ingest latency against a bare insert."""
    n_records = int(1_000_000 * options.scale)
    n_customers = max(100, n_records // 10)
    started = time.perf_counter()
    dataset = consent_data.build(n_customers, n_records)
    setup = time.perf_counter() - started
    try:
        return _rebuild(dataset, n_records, setup) + _incremental(dataset)
    finally:
        dataset.close()
        shutil.rmtree(dataset.folder, ignore_errors=True)


def _rebuild(dataset, n_records: int, setup: float) -> list[Figure]:
    db = dataset.runtime.db

    def rebuild():
        with db.session(write=True) as session:
            return operations.rebuild(session, actor=SYSTEM)

    seconds, stats = timed(rebuild)

    def naive():
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE TABLE bench_naive (subject TEXT, channel TEXT, purpose TEXT, status TEXT)"
            )
            conn.exec_driver_sql(NAIVE)

    naive_seconds, _ = timed(naive)
    sample = random.Random(3).sample(dataset.customers, min(2000, len(dataset.customers)))

    def lookups():
        with db.session() as session:
            return subjects.load_subjects(session, sample)

    lookup_seconds, _ = timed(lookups)
    identity_share = (lookup_seconds / len(sample)) * stats.customers / seconds
    notes = (
        f"{n_records:,} records, {stats.customers:,} customers, {stats.decisions:,} decisions written in "
        f"{seconds:.1f} s (setup {setup:.0f} s); identity get_customer lookups are ~{identity_share:.0%} of it"
    )
    return [
        Figure(
            "consent rebuild (1M records)"
            if n_records == 1_000_000
            else f"consent rebuild ({n_records:,} records)",
            n_records / seconds,
            "records/s",
            baseline_name="SQL most-recent-wins (no policy)",
            baseline_value=n_records / naive_seconds,
            notes=notes,
        ),
        Figure(
            "consent rebuild: customers",
            stats.customers / seconds,
            "customers/s",
            baseline_name="identity get_customer alone",
            baseline_value=len(sample) / lookup_seconds,
            notes="the unified table needs each customer's contact points and jurisdiction from identity",
        ),
    ]


def _incremental(dataset, samples: int = 200) -> list[Figure]:
    rng = random.Random(11)
    db = dataset.runtime.db
    latencies = []
    for i in range(samples):
        event = consent_data.consent_event(10_000_000 + i, rng.randrange(len(dataset.customers)), rng)
        start = time.perf_counter()
        with db.session(write=True) as session:
            ingest_events(session, events=[event], actor=SYSTEM)
        latencies.append(time.perf_counter() - start)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE bench_plain (id INTEGER PRIMARY KEY, v TEXT)")
    plain = []
    for i in range(samples):
        start = time.perf_counter()
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO bench_plain (v) VALUES (:v)"), {"v": str(i)})
        plain.append(time.perf_counter() - start)
    return [
        Figure(
            "consent incremental update p50",
            percentile(latencies, 50) * 1000,
            "ms",
            baseline_name="one-row insert + commit p50",
            baseline_value=percentile(plain, 50) * 1000,
            higher_is_better=False,
            notes="one consent record: validate, store, re-evaluate every decision of the affected customers, "
            "audit, commit",
        ),
        Figure(
            "consent incremental update p99",
            percentile(latencies, 99) * 1000,
            "ms",
            baseline_name="one-row insert + commit p99",
            baseline_value=percentile(plain, 99) * 1000,
            higher_is_better=False,
        ),
    ]
