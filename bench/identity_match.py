"""Identity matching: quality against the sample's truth, load and full-match speed, bulk resolution.

The rules-based matcher runs beside a naive one (exact email only) on the same sample in the same run;
each figure's baseline is the naive matcher's number. Bulk resolution of 100,000 identifiers is compared
with resolving values one query at a time.
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
import time
from pathlib import Path

import click

from app import build_runtime
from bench.runner import BenchOptions, Figure, timed
from core import migrate
from core.audit import SYSTEM
from core.runtime import Runtime
from core.settings import Settings
from identity.quality import evaluate, read_truth_csv
from identity.rules import load_rules
from identity.service import rebuild, resolve, resolve_many
from identity.sources import pull_source
from sample_data import generate

SYSTEMS = ("crm", "billing", "support", "marketing", "product")
EMAIL_ONLY = {
    "version": "naive-email-only",
    "rules": [{"name": "same_email", "kind": "email", "max_distinct_names": 1000}],
}
BASE_CUSTOMERS = 20_000


def _sample(folder: Path, customers: int) -> str:
    """Generate the sample company into `folder`; return where it came from."""
    generate(folder, customers=customers, seed=7, progress=False)
    return "sample_data.generate"


def _database(folder: Path) -> Runtime:
    runtime = build_runtime(Settings.from_env({}, instance_path=folder))
    migrate.upgrade(runtime.db)
    return runtime


def _match(runtime: Runtime, sample: Path, rules: dict | None) -> dict:
    """Load every source through pull_source, then rebuild; time both and score against the truth."""
    with runtime.db.session(write=True) as session:
        if rules is not None:
            rebuild(session, actor=SYSTEM, rules=load_rules(rules))  # activate before loading
        records = 0
        start = time.perf_counter()
        for system in SYSTEMS:
            url = f"sqlite:///{sample / 'sources' / f'{system}.db'}"
            records += pull_source(session, source_system=system, url=url, actor=SYSTEM).read
        load_s = time.perf_counter() - start
        rebuild_s, _ = timed(lambda: rebuild(session, actor=SYSTEM))
        quality = evaluate(session, read_truth_csv(sample / "truth.csv"))
    return {"records": records, "load_s": load_s, "rebuild_s": rebuild_s, "quality": quality}


def _bulk(runtime: Runtime, sample: Path) -> tuple[float, float, int]:
    """Seconds to resolve 100,000 emails in bulk, and (extrapolated) one query per value."""
    with sqlite3.connect(sample / "sources" / "marketing.db") as conn:
        known = [row[0] for row in conn.execute("SELECT email FROM subscribers WHERE email IS NOT NULL")]
    conn.close()
    rng = random.Random(7)
    values = [rng.choice(known) if i % 2 else f"nobody{i}@example.invalid" for i in range(100_000)]
    with runtime.db.session() as session:
        bulk_s, _ = timed(lambda: resolve_many(session, kind="email", values=values))
        sample_values = values[:2_000]
        single_s, _ = timed(lambda: [resolve(session, email=v) for v in sample_values])
    return bulk_s, single_s * len(values) / len(sample_values), len(values)


def run(options: BenchOptions) -> list[Figure]:
    """Quality, speed and bulk resolution of the rules matcher against the naive email-only matcher."""
    customers = max(200, int(BASE_CUSTOMERS * options.scale))
    with tempfile.TemporaryDirectory(dir=options.workdir) as tmp:
        root = Path(tmp)
        source = _sample(root / "sample", customers)
        rules_rt, naive_rt = _database(root / "rules"), _database(root / "naive")
        full = _match(rules_rt, root / "sample", None)
        naive = _match(naive_rt, root / "sample", EMAIL_ONLY)
        bulk_s, single_s, n = _bulk(rules_rt, root / "sample")
        rules_rt.close()
        naive_rt.close()
    q, nq = full["quality"], naive["quality"]
    note = f"{customers:,} people, {full['records']:,} source records from {source}"
    click.echo(f"   sample: {note}")
    counts = f"customers {q.counts['customers']:,} for {q.counts['persons']:,} people"
    return [
        Figure(
            "match precision (pairwise, rules)",
            q.precision,
            "",
            "email-only",
            nq.precision,
            goal="> 0.95",
            notes=note,
        ),
        Figure(
            "match recall (pairwise, rules)",
            q.recall,
            "",
            "email-only",
            nq.recall,
            goal="> 0.95",
            notes=counts,
        ),
        Figure("match F1 (rules)", q.f1, "", "email-only", nq.f1),
        Figure(
            "full match (rebuild) records/s",
            full["records"] / full["rebuild_s"],
            "records/s",
            "email-only rebuild",
            naive["records"] / naive["rebuild_s"],
        ),
        Figure(
            "load + incremental match records/s",
            full["records"] / full["load_s"],
            "records/s",
            "email-only load",
            naive["records"] / naive["load_s"],
        ),
        Figure(
            f"bulk resolve {n:,} emails",
            bulk_s,
            "s",
            "one query per value (extrapolated)",
            single_s,
            higher_is_better=False,
            goal="< 1 s",
        ),
    ]
