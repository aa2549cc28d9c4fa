"""Eligibility checks under 16 concurrent connections against gunicorn (2 workers), vs a bare Flask lookup."""

from __future__ import annotations

import random
from urllib.parse import urlencode

from bench import consent_data
from bench.http_load import LoadResult, drive, gunicorn
from bench.runner import BenchOptions, Figure

CONNECTIONS = 16
ROUNDS = 3


def concord_env(dataset: consent_data.Dataset) -> dict[str, str]:
    """Environment for `concord` served from the dataset's folder."""
    return {
        "CONCORD_INSTANCE_PATH": str(dataset.folder),
        "CONCORD_SCHEDULER_ENABLED": "false",
        "CONCORD_LOG_LEVEL": "WARNING",
    }


def run(options: BenchOptions) -> list[Figure]:
    """Checks/s and p50/p99 for GET /api/v1/consent/eligibility and for the bare endpoint, same load."""
    n_customers = max(1000, int(100_000 * options.scale))
    dataset = consent_data.served(n_customers, n_customers * 3, options.workdir)
    seconds = float(options.extra.get("seconds", 12))
    try:
        secret = consent_data.token(dataset, "marketing")
        rng = random.Random(5)
        picks = rng.sample(dataset.customers, min(5000, len(dataset.customers)))
        query = [{"customer": c, "channel": "email", "purpose": "marketing"} for c in picks]
        concord_paths = [f"/api/v1/consent/eligibility?{urlencode(q)}" for q in query]
        bare_paths = [f"/check?{urlencode(q)}" for q in query]
        bare_env = {"BENCH_SQLITE_FILE": str(dataset.folder / "concord.db")}
        auth = {"Authorization": f"Bearer {secret}"}
        ours, bare = LoadResult(), LoadResult()
        # Both servers up at once and measured in alternating rounds, so a neighbour's load on the
        # machine falls on both sides alike.
        with (
            gunicorn("app:create_app()", concord_env(dataset)) as port,
            gunicorn("bench.consent_bare_app:create_app()", bare_env) as bare_port,
        ):
            for _ in range(ROUNDS):
                ours.add(drive(port, concord_paths, auth, connections=CONNECTIONS, seconds=seconds / ROUNDS))
                bare.add(drive(bare_port, bare_paths, {}, connections=CONNECTIONS, seconds=seconds / ROUNDS))
    finally:
        dataset.close()
    note = f"{CONNECTIONS} connections, {seconds:.0f} s, {len(ours.latencies):,} checks, {ours.errors} errors"
    return [
        Figure(
            "eligibility single checks",
            ours.rate,
            "checks/s",
            baseline_name="bare Flask + 1 SQLite lookup",
            baseline_value=bare.rate,
            goal=">= 0.7x baseline",
            notes=note,
        ),
        Figure(
            "eligibility latency p50",
            ours.p(50),
            "ms",
            baseline_name="bare p50",
            baseline_value=bare.p(50),
            higher_is_better=False,
        ),
        Figure(
            "eligibility latency p99",
            ours.p(99),
            "ms",
            baseline_name="bare p99",
            baseline_value=bare.p(99),
            higher_is_better=False,
            goal="< 20 ms",
        ),
    ]
