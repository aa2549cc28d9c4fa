"""The soak's domain traffic: seeding, request makers and exactly-once checks for consent, lineage, catalogue.

Seeded before the load: `CUSTOMERS` (option `customers`) customers of the `soak` source system (profile + an email opt-in each)
and `DATASETS` (`datasets`) catalogue datasets whose descriptions use the words in `WORDS`. During the load every
acknowledged consent record id and OpenLineage event hash is remembered; afterwards the verifiers count
them in the database (each must be there exactly once).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable

import requests
import sqlalchemy as sa

from bench.load import Target, UnexpectedAnswer, expect
from bench.served import Service
from core import clock
from core.clock import iso

TIMEOUT = 30
SOURCE = "soak"
CUSTOMERS = 300
DATASETS = 60
JOBS = 20
WORDS = ("orders", "invoices", "customers", "refunds", "shipments", "contacts", "tickets", "campaigns")
CHANNELS = (("email", "marketing"), ("sms", "marketing"), ("email", "marketing.offers"))
SEED_BATCH = 100


def _key(n: int) -> str:
    return f"S{n:05d}"


def _consent(rid: str, key: str, rng: random.Random, *, status: str | None = None) -> dict:
    channel, purpose = rng.choice(CHANNELS)
    status = status or rng.choice(("opt_in", "opt_in", "opt_out"))
    return {
        "type": "consent",
        "source": SOURCE,
        "id": rid,
        "source_key": key,
        "channel": channel,
        "purpose": purpose,
        "status": status,
        "method": "web_form" if status == "opt_in" else "unsubscribe_link",
        "captured_at": iso(clock.now()),
        "evidence": {"capture_source": "soak:form"},
    }


def _profile(key: str) -> dict:
    return {
        "type": "profile",
        "source": SOURCE,
        "source_key": key,
        "jurisdiction": "DE",
        "emails": [f"{key.lower()}@soak.example.com"],
        "phones": [],
        "first_name": "Soak",
        "last_name": f"Person{key}",
    }


def _post_events(http: requests.Session, target: Target, events: list[dict]) -> dict:
    response = http.post(
        f"{target.base_url}/api/v1/consent/events",
        json={"events": events},
        headers=target.headers,
        timeout=TIMEOUT,
    )
    return expect(response, 201).json()


def seed(target: Target, extra: dict) -> None:
    """Customers with an opt-in each, and catalogue datasets to search (before any measured phase)."""
    rng = random.Random(11)
    customers = int(extra.get("customers", CUSTOMERS))
    target.shared["customers"] = customers
    with requests.Session() as http:
        for start in range(0, customers, SEED_BATCH):
            events = []
            for n in range(start, min(customers, start + SEED_BATCH)):
                rid = f"seed-{n}"
                events += [_profile(_key(n)), _consent(rid, _key(n), rng, status="opt_in")]
                target.remember("consent_ids", rid)
            _post_events(http, target, events)
        for n in range(int(extra.get("datasets", DATASETS))):
            # The first word cycles through WORDS so every word a search draws is in some description.
            words = [WORDS[n % len(WORDS)], rng.choice([w for w in WORDS if w != WORDS[n % len(WORDS)]])]
            body = {
                "namespace": "postgres://soak-db:5432",
                "name": f"sales.public.{words[0]}_{n}",
                "description": f"{words[0].title()} and {words[1]} of the soak company",
                "source_system": "soak",
                "columns": [
                    {"name": "id", "type": "bigint"},
                    {"name": f"{words[1]}_total", "type": "numeric"},
                ],
            }
            expect(
                http.post(
                    f"{target.base_url}/api/v1/catalog/datasets",
                    json=body,
                    headers=target.headers,
                    timeout=TIMEOUT,
                ),
                201,
            )


def eligibility(http: requests.Session, target: Target, rng: random.Random) -> None:
    """A single eligibility check of a seeded customer; the answer must name a reason."""
    channel, purpose = rng.choice(CHANNELS)
    key = _key(rng.randrange(target.shared["customers"]))
    params = {"source_key": f"{SOURCE}:{key}", "channel": channel, "purpose": purpose}
    url = f"{target.base_url}/api/v1/consent/eligibility"
    answer = expect(http.get(url, params=params, headers=target.headers, timeout=TIMEOUT), 200).json()
    if answer.get("reason") in (None, "unknown_customer"):
        raise UnexpectedAnswer(f"eligibility of {params['source_key']}: {answer}")


def consent_ingest(http: requests.Session, target: Target, rng: random.Random) -> None:
    """A batch of 1-5 new consent records (sometimes with a new customer's profile)."""
    events: list[dict] = []
    if rng.random() < 0.1:
        key = f"N{uuid.uuid4().hex[:10]}"
        events.append(_profile(key))
    else:
        key = _key(rng.randrange(target.shared["customers"]))
    ids = [f"soak-{uuid.uuid4().hex}" for _ in range(rng.randint(1, 5))]
    events += [_consent(rid, key, rng) for rid in ids]
    answer = _post_events(http, target, events)
    if answer["stored"].get("consent") != len(ids):
        raise UnexpectedAnswer(f"{len(ids)} new consent records but stored {answer['stored']}")
    for rid in ids:
        target.remember("consent_ids", rid)


def lineage_event(http: requests.Session, target: Target, rng: random.Random) -> None:
    """One OpenLineage RunEvent (START or COMPLETE) of one of JOBS jobs."""
    job = f"soak_job_{rng.randrange(JOBS)}"
    source, sink = rng.sample(WORDS, 2)
    event = {
        "eventType": rng.choice(("START", "COMPLETE")),
        "eventTime": iso(clock.now()),
        "producer": "https://concord.example/bench/soak",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "soak", "name": job},
        "inputs": [{"namespace": "postgres://soak-db:5432", "name": f"sales.public.{source}"}],
        "outputs": [{"namespace": "postgres://soak-db:5432", "name": f"mart.public.{sink}"}],
    }
    url = f"{target.base_url}/api/v1/lineage"
    answer = expect(http.post(url, json=event, headers=target.headers, timeout=TIMEOUT), 201).json()
    if answer.get("status") != "stored":
        raise UnexpectedAnswer(f"a new event was answered {answer}")
    target.remember("lineage_events", answer["eventId"])


def catalog_search(http: requests.Session, target: Target, rng: random.Random) -> None:
    """A full-text search for a word every seeded dataset description draws from; it must find some."""
    url = f"{target.base_url}/api/v1/catalog/search"
    params = {"q": rng.choice(WORDS), "facets": rng.choice(("true", "false"))}
    answer = expect(http.get(url, params=params, headers=target.headers, timeout=TIMEOUT), 200).json()
    if not answer.get("total"):
        raise UnexpectedAnswer(f"no hits for {params['q']!r}")


def _counted(service: Service, table: str, column: str, values: Iterable[str], where: str = "") -> dict:
    """How many rows hold each of `values` in `column` (chunked IN lists)."""
    values = list(values)
    found: dict[str, int] = {}
    t = sa.table(table, sa.column(column), sa.column("source"))
    with service.runtime.db.session() as session:
        for start in range(0, len(values), 1000):
            part = values[start : start + 1000]
            query = sa.select(t.c[column], sa.func.count()).where(t.c[column].in_(part)).group_by(t.c[column])
            if where:
                query = query.where(t.c.source == where)
            found.update(dict(session.execute(query).all()))
    return found


def stored_once(name: str, service: Service, target: Target, key: str, table: str, column: str, source=""):
    """(expected, stored, problems): every acknowledged value present exactly once."""
    acknowledged = set(target.shared.get(key, []))
    counts = _counted(service, table, column, acknowledged, source)
    twice = sorted(v for v, n in counts.items() if n > 1)
    problems = [f"{name}: {len(twice)} stored more than once, e.g. {twice[:3]}"] if twice else []
    return len(acknowledged), len(counts), problems
