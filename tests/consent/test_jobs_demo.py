"""The consent job functions and the demo loader, against small source databases."""

from __future__ import annotations

import contextlib
import sqlite3
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from consent import eligibility
from consent.pull_mapping import SAMPLE_MAPPING, load_mapping
from core import audit, clock
from core.runtime import Runtime
from identity import service as identity
from jobs import consent as consent_jobs
from sample_data.consent_loader import load_consent
from tests.consent.conftest import INGEST, consent, profile
from tests.consent.test_pull_feeds import PREFS, crm_db


def empty_source(folder: Path, system: str) -> Path:
    """A source database with every table and column the sample mapping reads, and no rows."""
    mapping = load_mapping(SAMPLE_MAPPING.read_text())[system]
    tables: dict[str, set[str]] = defaultdict(set)
    tables[mapping.customers[0]].add(mapping.customers[1])
    for table in mapping.tables:
        specs = [*table.fields.values(), *table.evidence.values()]
        tables[table.table] |= {s.column for s in specs if s.column} | set(table.filter) | {table.cursor}
        tables[table.table] |= {c for s in specs for c in s.cases.values()}
        for s in specs:
            if s.kind == "lookup":
                tables[s.table] |= {s.on, s.const}
    path = folder / f"{system}.db"
    with sqlite3.connect(path) as conn:
        for name, columns in tables.items():
            conn.execute(f"CREATE TABLE IF NOT EXISTS {name} ({', '.join(sorted(c for c in columns if c))})")
    return path


@contextlib.contextmanager
def _bar(**_kwargs):
    yield SimpleNamespace(update=lambda n=1: None)


def test_refresh_job_rewrites_lapsed_decisions(db, ingest):
    expires = (clock.now() + timedelta(days=1)).isoformat()
    ingest(profile("C1", emails=["ann@example.com"]), consent("p1", "C1", expires_at=expires))
    runtime = Runtime(settings=db.settings, db=db)
    assert consent_jobs.refresh_decisions(runtime, now=clock.now()).counts == {"customers": 0, "decisions": 0}
    later = clock.now() + timedelta(days=2)
    with clock.frozen(later):
        assert consent_jobs.refresh_decisions(runtime, now=later).counts["customers"] == 1
        with db.session() as session:
            ann = identity.resolve(session, source_key="crm:C1")[0]
            answer = eligibility.check(
                session, kind="customer", value=ann, channel="email", purpose="marketing"
            )
    assert (answer.reason, answer.basis) == ("expired", "stored")


def test_demo_loader_pulls_sources_then_unifies_once(db, tmp_path):
    (tmp_path / "registry").mkdir()
    registry = tmp_path / "registry" / "us_national_dnc_2025-02-01.csv"
    registry.write_text("phone\n4155550100\n")
    crm = crm_db(tmp_path)
    with db.session(write=True) as session:  # identity's loader runs first
        records = [
            identity.SourceRecordIn("crm", "C1", first_name="Ann", emails=("ann@example.com",), country="DE"),
            identity.SourceRecordIn("crm", "C2", first_name="Bo", emails=("bo@example.com",), country="GB"),
        ]
        identity.upsert_source_records(session, records=records, actor=INGEST)
    manifest = SimpleNamespace(
        source_db=lambda system: crm if system == "crm" else empty_source(tmp_path, system),
        registry_path=registry,
    )
    summary = load_consent(Runtime(settings=db.settings, db=db), manifest, _bar)
    assert "decisions for 2 customers" in summary


def test_a_regenerated_sample_replaces_the_previous_one(db, tmp_path):
    (tmp_path / "registry").mkdir()
    registry = tmp_path / "registry" / "us_national_dnc_2025-02-01.csv"
    registry.write_text("phone\n4155550100\n")
    with db.session(write=True) as session:
        record = identity.SourceRecordIn(
            "crm", "C1", first_name="Ann", emails=("ann@example.com",), country="DE"
        )
        identity.upsert_source_records(session, records=[record], actor=INGEST)
    runtime = Runtime(settings=db.settings, db=db)
    first = tmp_path / "first"
    first.mkdir()
    crm = crm_db(first)
    manifest = SimpleNamespace(
        source_db=lambda system: crm if system == "crm" else empty_source(tmp_path, system),
        registry_path=registry,
    )
    load_consent(runtime, manifest, _bar)
    crm.unlink()
    changed = (*PREFS[0][:4], "opt_out", PREFS[0][5], PREFS[0][6], "2025-03-01T00:00:00Z", *PREFS[0][8:])
    crm_db(first, prefs=[changed])  # same id, new content (as a regenerated sample has)
    load_consent(runtime, manifest, _bar)
    with db.session() as session:
        ann = identity.resolve(session, source_key="crm:C1")[0]
        assert eligibility.check(
            session, kind="customer", value=ann, channel="email", purpose="marketing"
        ).reason == ("opt_out")
        assert "consent.facts.clear" in {e.action for e in audit.recent(session, limit=50)}
