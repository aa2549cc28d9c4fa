"""Soak: mixed load against gunicorn on SQLite and/or PostgreSQL, then count what was stored.

Options (`concord bench soak --duration 600 --clients 16 --backend postgresql`):
`duration` seconds of mixed load (default 20), `clients` threads (8), `backend` sqlite, postgresql or
both (both), `workers` and `threads` of gunicorn (2, 4), `pg_url` (CONCORD_TEST_PG_URL or the local test
database), `customers` and `datasets` seeded before the load (300, 60). A baseline phase of /api/v1/version only, a quarter as long, runs first on the same server.

Areas add request makers to `MAKERS` and checks of what their writes stored to `VERIFIERS`.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from bench import soak_domain as domain
from bench.load import LoadResult, Maker, Target, drive, expect
from bench.runner import BenchOptions, Figure
from bench.served import Service, running_service
from core import audit, tokens

TIMEOUT = 30


def health(http: requests.Session, target: Target, rng: random.Random) -> None:
    expect(http.get(f"{target.base_url}/healthz", timeout=TIMEOUT), 200)


def version(http: requests.Session, target: Target, rng: random.Random) -> None:
    expect(http.get(f"{target.base_url}/api/v1/version", timeout=TIMEOUT), 200)


def token_list(http: requests.Session, target: Target, rng: random.Random) -> None:
    expect(http.get(f"{target.base_url}/api/v1/tokens", headers=target.headers, timeout=TIMEOUT), 200)


def audit_page(http: requests.Session, target: Target, rng: random.Random) -> None:
    url = f"{target.base_url}/api/v1/audit?limit=50"
    expect(http.get(url, headers=target.headers, timeout=TIMEOUT), 200)


def token_create(http: requests.Session, target: Target, rng: random.Random) -> None:
    name = f"soak-{uuid.uuid4().hex[:12]}"
    body = {"name": name, "role": rng.choice(["analyst", "marketing", "ingest"])}
    expect(
        http.post(f"{target.base_url}/api/v1/tokens", json=body, headers=target.headers, timeout=TIMEOUT), 201
    )
    target.remember("tokens", name)


# The mix: (name, weight, maker); the domain traffic dominates, the infra endpoints ride along.
MAKERS: list[Maker] = [
    Maker("health", 1, health),
    Maker("version", 1, version),
    Maker("token-list", 1, token_list),
    Maker("audit-page", 1, audit_page),
    Maker("token-create", 1, token_create),
    Maker("eligibility", 12, domain.eligibility),
    Maker("consent-ingest", 5, domain.consent_ingest),
    Maker("lineage-event", 5, domain.lineage_event),
    Maker("catalog-search", 4, domain.catalog_search),
]
# Run once before the baseline phase: the data the makers read (customers, datasets).
SEEDERS: list[Callable[[Target, dict], None]] = [domain.seed]
# The floor: the cheapest endpoint (no database), same server and clients.
BASELINE = [Maker("version", 1, version)]


@dataclass
class Verification:
    """What the load says was stored against what the database has."""

    name: str
    expected: int
    stored: int
    problems: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return max(0, self.expected - self.stored)


def stored_tokens(service: Service, target: Target) -> Verification:
    """Every token a 201 answered for is stored."""
    created = set(target.shared.get("tokens", []))
    with service.runtime.db.session() as session:
        stored = {t.name for t in tokens.list_tokens(session)} & created
    return Verification("tokens", len(created), len(stored))


def audit_chain(service: Service, target: Target) -> Verification:
    """The audit chain is whole after the load (every write appended exactly once, in order)."""
    with service.runtime.db.session() as session:
        result = audit.verify(session)
    return Verification("audit entries", result.head_seq, result.checked, result.problems)


def stored_consent_records(service: Service, target: Target) -> Verification:
    """Every consent record a 201 acknowledged (seeded or under load) is stored exactly once."""
    expected, stored, problems = domain.stored_once(
        "consent records", service, target, "consent_ids", "consent_record", "source_id", domain.SOURCE
    )
    return Verification("consent records", expected, stored, problems)


def stored_lineage_events(service: Service, target: Target) -> Verification:
    """Every OpenLineage event answered `stored` is in the raw event log exactly once."""
    expected, stored, problems = domain.stored_once(
        "lineage events", service, target, "lineage_events", "lineage_event", "event_hash"
    )
    return Verification("lineage events", expected, stored, problems)


VERIFIERS: list[Callable[[Service, Target], Verification]] = [
    stored_tokens,
    stored_consent_records,
    stored_lineage_events,
    audit_chain,
]


def _soak(backend: str, options: BenchOptions) -> list[Figure]:
    extra = options.extra
    duration, clients = float(extra.get("duration", 20)), int(extra.get("clients", 8))
    with running_service(
        backend,
        options.workdir,
        workers=int(extra.get("workers", 2)),
        threads=int(extra.get("threads", 4)),
        pg_url=extra.get("pg_url"),
    ) as service:
        target = Target(service.base_url, service.headers)
        for prepare in SEEDERS:
            prepare(target, extra)
        baseline = drive(target, BASELINE, clients=clients, seconds=max(2.0, duration / 4))
        mixed = drive(target, MAKERS, clients=clients, seconds=duration)
        checks = [verify(service, target) for verify in VERIFIERS]
    return _figures(backend, mixed, baseline, checks, clients)


def _figures(
    backend: str, mixed: LoadResult, base: LoadResult, checks: list[Verification], clients: int
) -> list[Figure]:
    per_maker = ", ".join(
        f"{name} p99 {mixed.latency_ms(99, name):.1f}ms x{len(v)}"
        for name, v in sorted(mixed.latencies.items())
    )
    lost = sum(c.lost for c in checks)
    problems = [p for c in checks for p in c.problems]
    stored = "; ".join(f"{c.name}: {c.stored}/{c.expected} stored" for c in checks)
    label = f"soak {backend} ({clients} clients, {mixed.seconds:.0f}s)"
    return [
        Figure(
            f"{label} throughput",
            mixed.throughput,
            "req/s",
            baseline_name="/api/v1/version only",
            baseline_value=base.throughput,
            notes=per_maker,
        ),
        _latency(label, 50, mixed, base),
        _latency(label, 99, mixed, base),
        Figure(
            f"{label} errors",
            mixed.error_count,
            "requests",
            baseline_name="/api/v1/version only",
            baseline_value=base.error_count,
            higher_is_better=False,
            goal="0",
            notes="; ".join(mixed.first_errors),
        ),
        Figure(
            f"{label} lost records",
            lost + len(problems),
            "records",
            higher_is_better=False,
            goal="0",
            notes="; ".join([stored, *problems[:5]]),
        ),
    ]


def _latency(label: str, p: int, mixed: LoadResult, base: LoadResult) -> Figure:
    return Figure(
        f"{label} p{p} latency",
        mixed.latency_ms(p),
        "ms",
        baseline_name="/api/v1/version only",
        baseline_value=base.latency_ms(p),
        higher_is_better=False,
    )


def run(options: BenchOptions) -> list[Figure]:
    """Soak each requested backend in turn."""
    backend = str(options.extra.get("backend", "both"))
    backends = ["sqlite", "postgresql"] if backend == "both" else [backend]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown:
        raise ValueError(f"backend must be sqlite, postgresql or both, not {backend!r}")
    return [figure for name in backends for figure in _soak(name, options)]
