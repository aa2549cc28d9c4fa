"""Synthetic consent data for the consent benchmarks: customers through identity, facts straight to storage."""

from __future__ import annotations

import random
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from app import build_runtime
from consent import unify
from consent.events import validate_events
from consent.policies import active_policy
from consent.store import store_facts
from core import clock, migrate
from core.audit import SYSTEM
from core.runtime import Runtime
from core.settings import Settings
from core.tokens import create_token
from identity import service as identity

JURISDICTIONS = ["DE", "FR", "NL", "GB", "US-CA", "US-NY", "US-TX", "US-CO", "CA-ON", "CA-QC", "BR"]
CHANNELS = ["email", "email", "email", "sms", "voice", "paid_media"]
PURPOSES = {
    "email": ["marketing", "marketing.newsletter", "marketing.offers"],
    "sms": ["marketing", "marketing.offers"],
    "voice": ["marketing"],
    "paid_media": ["advertising.third_party_sharing"],
}
STATUSES = ["opt_in", "opt_in", "opt_in", "opt_out", "pending", "objection"]
METHODS = [
    "web_form",
    "preference_center",
    "double_opt_in_confirmed",
    "import",
    "sales_rep_entry",
    "in_app_toggle",
]
SOURCES = ["crm", "marketing", "product"]
START = datetime(2023, 1, 1, tzinfo=UTC)


@dataclass
class Dataset:
    """A migrated SQLite instance holding the synthetic company."""

    runtime: Runtime
    folder: Path
    customers: list[str]
    emails: list[str]
    records: int

    def close(self) -> None:
        self.runtime.close()


def email(i: int) -> str:
    return f"person{i}@example.com"


def phone(i: int) -> str:
    return f"+1415{i:07d}"


def _profiles(runtime: Runtime, n: int, rng: random.Random) -> list[str]:
    ids: list[str] = []
    for start in range(0, n, 5000):
        records = [
            identity.SourceRecordIn(
                "crm",
                f"C{i:07d}",
                first_name=f"F{i}",
                last_name=f"L{i}",
                emails=(email(i),),
                phones=(phone(i),),
                jurisdiction=rng.choice(JURISDICTIONS),
            )
            for i in range(start, min(n, start + 5000))
        ]
        with runtime.db.session(write=True) as session:
            result = identity.upsert_source_records(session, records=records, actor=SYSTEM)
        ids.extend(result.keys[("crm", r.source_key)] for r in records)
    return ids


def consent_event(i: int, customer: int, rng: random.Random) -> dict:
    """One random consent record about customer number `customer`."""
    channel = rng.choice(CHANNELS)
    status = rng.choice(STATUSES)
    at = START + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
    event = {
        "type": "consent",
        "source": rng.choice(SOURCES),
        "id": f"r{i}",
        "channel": channel,
        "purpose": rng.choice(PURPOSES[channel]),
        "status": status,
        "method": rng.choice(METHODS),
        "captured_at": at.isoformat(),
        "evidence": {"capture_source": "bench"} if rng.random() < 0.9 else None,
    }
    if channel == "email" and rng.random() < 0.5:
        event["contact_point"] = email(customer)
    else:
        event["source_key"] = f"C{customer:07d}"
        event["source"] = "crm"
    if rng.random() < 0.1 and status == "opt_in":
        event["expires_at"] = (at + timedelta(days=rng.randrange(30, 900))).isoformat()
    return event


def other_events(n_customers: int, rng: random.Random) -> list[dict]:
    """Suppressions, relationships, DNC requests, GPC signals and one registry snapshot."""
    out: list[dict] = []
    day = START.isoformat()
    for c in rng.sample(range(n_customers), max(1, n_customers // 50)):
        out.append(
            {
                "type": "suppression",
                "source": "marketing",
                "id": f"b{c}",
                "list": "hard_bounce",
                "contact_point": email(c),
                "captured_at": day,
            }
        )
    for c in rng.sample(range(n_customers), max(1, n_customers // 5)):
        out.append(
            {
                "type": "relationship",
                "source": "billing",
                "id": f"p{c}",
                "source_key": f"C{c:07d}",
                "kind": rng.choice(["purchase", "inquiry"]),
                "occurred_at": day,
            }
        )
    for c in rng.sample(range(n_customers), max(1, n_customers // 100)):
        out.append(
            {"type": "dnc_request", "source": "support", "id": f"d{c}", "phone": phone(c), "captured_at": day}
        )
    for c in rng.sample(range(n_customers), max(1, n_customers // 40)):
        out.append(
            {
                "type": "gpc_signal",
                "source": "product",
                "id": f"g{c}",
                "source_key": f"C{c:07d}",
                "observed_at": day,
            }
        )
    listed = [phone(c) for c in rng.sample(range(n_customers), max(1, n_customers // 20))]
    out.append(
        {
            "type": "dnc_registry_snapshot",
            "source": "registry",
            "registry": "us_national",
            "downloaded_at": (clock.now() - timedelta(days=5)).isoformat(),
            "listed_numbers": listed,
        }
    )
    return out


def store_raw(runtime: Runtime, events: list[dict]) -> None:
    """Validate and store facts without unifying (the benchmark times unification separately)."""
    with runtime.db.session(write=True) as session:
        policy = active_policy(session)
        now = clock.now()
        for start in range(0, len(events), 20000):
            valid = validate_events(events[start : start + 20000], policy, now=now)
            store_facts(session, valid, actor="bench", now=now)
        session.commit()


def runtime_for(folder: Path) -> Runtime:
    """A runtime on the SQLite database in `folder`."""
    return build_runtime(
        Settings.from_env({}, instance_path=folder, scheduler_enabled=False, log_level="WARNING")
    )


def build(n_customers: int, n_records: int, *, seed: int = 7, folder: Path | None = None) -> Dataset:
    """A fresh SQLite instance with `n_customers` customers and `n_records` consent records (plus other facts)."""
    folder = folder or Path(tempfile.mkdtemp(prefix="concord-consent-bench-"))
    runtime = runtime_for(folder)
    migrate.upgrade(runtime.db)
    rng = random.Random(seed)
    ids = _profiles(runtime, n_customers, rng)
    events = [consent_event(i, rng.randrange(n_customers), rng) for i in range(n_records)]
    store_raw(runtime, events + other_events(n_customers, rng))
    return Dataset(runtime, folder, ids, [email(i) for i in range(n_customers)], n_records)


def unify_everyone(dataset: Dataset) -> None:
    """Unified decisions for every customer (those without facts too), as a loaded company would have."""
    with dataset.runtime.db.session(write=True) as session:
        unify.recompute(session, dataset.customers, policy=active_policy(session), now=clock.now())
        session.commit()


def served(n_customers: int, n_records: int, workdir: Path) -> Dataset:
    """A unified dataset kept in `workdir` and reused by later runs of the read-only benchmarks."""
    folder = workdir / f"consent-{n_customers}-{n_records}"
    marker = folder / "ready.json"
    if marker.exists():
        info = orjson.loads(marker.read_bytes())
        runtime = runtime_for(folder)
        migrate.upgrade(runtime.db)  # a sample kept from an older checkout gets the newer tables
        return Dataset(runtime, folder, info["customers"], info["emails"], n_records)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    dataset = build(n_customers, n_records, folder=folder)
    unify_everyone(dataset)
    marker.write_bytes(orjson.dumps({"customers": dataset.customers, "emails": dataset.emails}))
    return dataset


def token(dataset: Dataset, role: str) -> str:
    """A new API token for `role` on the dataset's database."""
    with dataset.runtime.db.session(write=True) as session:
        return create_token(session, role=role, name=f"bench-{role}", actor=SYSTEM).secret
