"""Bulk eligibility: 100,000 subjects in one HTTP request, end to end, vs a bare Flask bulk lookup."""

from __future__ import annotations

import random

import orjson

from bench import consent_data
from bench.consent_eligibility import concord_env
from bench.http_load import gunicorn, post_json, timed_runs
from bench.runner import BenchOptions, Figure


def run(options: BenchOptions) -> list[Figure]:
    """Seconds for POST /api/v1/consent/eligibility/bulk with 100k customer ids, and with 100k emails."""
    n_customers = max(1000, int(100_000 * options.scale))
    dataset = consent_data.served(n_customers, n_customers * 3, options.workdir)
    size = min(100_000, len(dataset.customers))
    repeat = int(options.extra.get("repeat", 3))
    try:
        secret = {"Authorization": f"Bearer {consent_data.token(dataset, 'marketing')}"}
        rng = random.Random(9)
        ids = rng.sample(dataset.customers, size)
        emails = rng.sample(dataset.emails, size)
        by_id = {"channel": "email", "purpose": "marketing", "kind": "customer", "subjects": ids}
        by_email = {"channel": "email", "purpose": "marketing", "kind": "email", "subjects": emails}

        def call(port: int, path: str, body: dict, headers: dict) -> None:
            status, data = post_json(port, path, orjson.dumps(body), headers)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}: {data[:300]!r}")
            assert orjson.loads(data)["count"] == size

        url = "/api/v1/consent/eligibility/bulk"
        with gunicorn("app:create_app()", concord_env(dataset)) as port:
            call(port, url, by_id, secret)  # warm-up
            ours = min(timed_runs(lambda: call(port, url, by_id, secret), repeat))
            ours_email = min(timed_runs(lambda: call(port, url, by_email, secret), repeat))
        with gunicorn(
            "bench.consent_bare_app:create_app()", {"BENCH_SQLITE_FILE": str(dataset.folder / "concord.db")}
        ) as port:
            call(port, "/bulk", by_id, {})
            bare = min(timed_runs(lambda: call(port, "/bulk", by_id, {}), repeat))
    finally:
        dataset.close()
    return [
        Figure(
            f"bulk eligibility, {size:,} customer ids",
            ours,
            "s",
            baseline_name="bare Flask bulk lookup",
            baseline_value=bare,
            higher_is_better=False,
            goal="< 2 s end to end",
            notes="best of runs: client JSON encode, HTTP, auth, reads in 5,000-id chunks, JSON both ways",
        ),
        Figure(
            f"bulk eligibility, {size:,} emails",
            ours_email,
            "s",
            baseline_name="bare Flask bulk lookup (ids)",
            baseline_value=bare,
            higher_is_better=False,
            goal="< 2 s end to end",
            notes="emails are resolved to customers through identity.resolve_many first",
        ),
    ]
