"""Prometheus metrics: what every package counts, defined once here so callers never import prometheus_client.

Other packages call the small functions below (`count_decision`, `count_records_ingested`,
`observe_ingestion_lag`, ...). The metrics are built on first use, not at import: under gunicorn each
worker writes its samples to files in `PROMETHEUS_MULTIPROC_DIR`, and prometheus_client decides how
to store values when it is first imported, which must happen after that variable is set.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
PENDING = "concord_metrics_on_commit"
SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
JOB_BUCKETS = (0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600)
LAG_BUCKETS = (1, 5, 30, 60, 300, 900, 3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600)


@dataclass
class _Metrics:
    requests: Any
    request_seconds: Any
    job_runs: Any
    job_seconds: Any
    job_last_success: Any
    scheduler_leader: Any
    decisions: Any
    records_ingested: Any
    ingestion_lag: Any
    registry_age: Any
    feed_files: Any


_built: _Metrics | None = None
_lock = threading.Lock()


def _metrics() -> _Metrics:
    global _built
    if _built is None:
        with _lock:
            if _built is None:
                _built = _build()
    return _built


def _build() -> _Metrics:
    from prometheus_client import Counter, Gauge, Histogram, values

    if os.environ.get(MULTIPROC_ENV) and values.ValueClass is values.MutexValue:
        # prometheus_client was imported before the variable was set: switch to file-backed values.
        values.ValueClass = values.get_value_class()
    return _Metrics(
        requests=Counter("concord_http_requests", "HTTP requests answered", ["method", "endpoint", "status"]),
        request_seconds=Histogram(
            "concord_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "endpoint", "status"],
            buckets=SECONDS_BUCKETS,
        ),
        job_runs=Counter("concord_job_runs", "Job runs by outcome", ["job", "outcome"]),
        job_seconds=Histogram(
            "concord_job_duration_seconds", "Job run duration", ["job"], buckets=JOB_BUCKETS
        ),
        job_last_success=Gauge(
            "concord_job_last_success_timestamp_seconds",
            "When each job last succeeded (Unix time)",
            ["job"],
            multiprocess_mode="max",
        ),
        scheduler_leader=Gauge(
            "concord_scheduler_leader",
            "1 in the process that leads the scheduler (summed over live processes: should be 1 overall)",
            multiprocess_mode="livesum",
        ),
        decisions=Counter("concord_decisions", "Consent decisions by reason code", ["reason", "allowed"]),
        records_ingested=Counter(
            "concord_records_ingested", "Records ingested by record type", ["type", "source"]
        ),
        ingestion_lag=Histogram(
            "concord_ingestion_lag_seconds",
            "Seconds between a record being captured at its source and Concord storing it",
            ["source"],
            buckets=LAG_BUCKETS,
        ),
        registry_age=Gauge(
            "concord_dnc_registry_snapshot_age_seconds",
            "Age of each do-not-call registry's newest snapshot when last checked (stale at 31 days)",
            ["registry"],
            multiprocess_mode="mostrecent",
        ),
        feed_files=Counter(
            "concord_feed_files", "Feed folder files processed by outcome", ["source", "outcome"]
        ),
    )


def observe_request(method: str, endpoint: str, status: int, seconds: float) -> None:
    """Count one HTTP request and its duration (endpoint is the route pattern, never the raw path)."""
    m = _metrics()
    m.requests.labels(method, endpoint, str(status)).inc()
    m.request_seconds.labels(method, endpoint, str(status)).observe(seconds)


def observe_job(job: str, outcome: str, seconds: float, *, finished_at: float | None = None) -> None:
    """Count one job run by outcome; a success also records its Unix time."""
    m = _metrics()
    m.job_runs.labels(job, outcome).inc()
    if outcome != "skipped":
        m.job_seconds.labels(job).observe(seconds)
    if outcome == "success" and finished_at is not None:
        m.job_last_success.labels(job).set(finished_at)


def set_scheduler_leader(is_leader: bool) -> None:
    """Whether this process currently leads the scheduler."""
    _metrics().scheduler_leader.set(1 if is_leader else 0)


def count_decision(reason: str, *, allowed: bool, n: int = 1) -> None:
    """Count consent decisions by reason code and outcome."""
    _metrics().decisions.labels(reason, "true" if allowed else "false").inc(n)


def count_records_ingested(record_type: str, n: int = 1, *, source: str = "") -> None:
    """Count records stored by ingestion, by type (consent, suppression, openlineage...) and source system."""
    if n:
        _metrics().records_ingested.labels(record_type, source).inc(n)


def observe_ingestion_lag(source: str, seconds: float) -> None:
    """Record how long after capture at its source a record was stored (negative lags count as 0)."""
    _metrics().ingestion_lag.labels(source).observe(max(0.0, seconds))


def set_registry_age(registry: str, seconds: float) -> None:
    """The age of a registry's newest snapshot, as the DNC registry check last saw it."""
    _metrics().registry_age.labels(registry).set(seconds)


def count_feed_file(source: str, outcome: str) -> None:
    """Count one feed folder file by outcome (ingested, duplicate, failed)."""
    _metrics().feed_files.labels(source, outcome).inc()


def on_commit(session: Any, callback: Callable[[], None]) -> None:
    """Call `callback` once the session's current transaction commits; a rollback drops it.

    Counting stored records only after the commit keeps rolled-back batches out of the metrics.
    """
    from sqlalchemy import event

    if PENDING not in session.info:
        session.info[PENDING] = []
        event.listen(session, "after_commit", _run_pending)
        event.listen(session, "after_rollback", _drop_pending)
    session.info[PENDING].append(callback)


def _run_pending(session: Any) -> None:
    pending, session.info[PENDING] = session.info[PENDING], []
    for callback in pending:
        callback()


def _drop_pending(session: Any) -> None:
    session.info[PENDING] = []


def render() -> tuple[bytes, str]:
    """The exposition text and its content type; across all worker processes when multiprocess."""
    from prometheus_client import (
        CONTENT_TYPE_LATEST,
        REGISTRY,
        CollectorRegistry,
        generate_latest,
        multiprocess,
    )

    _metrics()
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def prepare_multiprocess_dir(path: Path) -> Path:
    """Empty `path` and point prometheus_client at it (before any worker starts)."""
    path = Path(path)
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    os.environ[MULTIPROC_ENV] = str(path)
    return path


def worker_exited(pid: int) -> None:
    """Drop a dead worker's live gauges (the `live*` modes), as gunicorn's child_exit hook should."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
