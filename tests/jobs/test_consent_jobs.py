"""Consent's jobs: feed folders ingested once each, configured pulls, suppression expiry, registry age."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import UTC, datetime, timedelta

import orjson
import pytest
import sqlalchemy as sa

from consent.ingest import ingest_events
from consent.models import ConsentRecordRow, DecisionRow
from consent.models_feeds import FeedFileRow
from core import clock, metrics
from core.openlineage import Emitter
from core.runtime import Runtime
from jobs.runner import run_job
from tests.consent.conftest import INGEST, consent, profile
from tests.consent.test_pull_feeds import crm_db

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def feeds_runtime(db, events, tmp_path) -> Runtime:
    """A runtime whose feed folders are under tmp_path/feeds."""
    settings = dataclasses.replace(db.settings, feeds_path=tmp_path / "feeds")
    runtime = Runtime(settings=settings, db=db, emitter=Emitter(settings, local_sink=events.append))
    yield runtime
    runtime.emitter.flush()


def ingest(db, *events):
    with db.session(write=True) as session:
        return ingest_events(session, events=list(events), actor=INGEST)


def count(db, model, *where) -> int:
    with db.session() as session:
        query = sa.select(sa.func.count()).select_from(model.__table__)
        return session.execute(query.where(*where) if where else query).scalar_one()


def jsonl(*events) -> bytes:
    return b"\n".join(orjson.dumps(e) for e in events) + b"\n"


def test_feed_files_are_ingested_once_and_bad_ones_set_aside(feeds_runtime, db, tmp_path):
    crm, billing = tmp_path / "feeds" / "crm", tmp_path / "feeds" / "billing"
    crm.mkdir(parents=True)
    billing.mkdir()
    (crm / "a.jsonl").write_bytes(jsonl(profile("C1"), consent("p1", "C1"), consent("p2", "C1")))
    (crm / "b.csv").write_text(
        "type,id,source_key,channel,purpose,status,method,captured_at,evidence.capture_source\n"
        "consent,p3,C1,email,marketing,opt_out,unsubscribe_link,2025-03-02T00:00:00Z,\n"
    )
    # Good lines first, then a bad one: nothing of the file may be stored.
    (billing / "bad.jsonl").write_bytes(
        jsonl(profile("B1", source="billing"), consent("b1", "B1", source="billing"), {"type": "consent"})
    )
    run = run_job(feeds_runtime, "consent.feeds", now=clock.now())
    assert run.outcome == "failed" and "billing/bad.jsonl" in run.message and "line 3" in run.message
    assert (run.counts["ingested"], run.counts["failed"], run.counts["records"]) == (2, 1, 4)
    assert count(db, ConsentRecordRow, ConsentRecordRow.source == "crm") == 3
    assert count(db, ConsentRecordRow, ConsentRecordRow.source == "billing") == 0
    assert sorted(p.name for p in (crm / "done").iterdir()) == ["a.jsonl", "b.csv"]
    assert "line 3" in (billing / "failed" / "bad.jsonl.error.txt").read_text()
    assert not list(crm.glob("*.*")) and not list(billing.glob("*.jsonl"))
    with db.session() as session:
        rows = {r.name: r for r in session.execute(sa.select(FeedFileRow)).scalars()}
    assert rows["a.jsonl"].status == "ingested" and rows["a.jsonl"].counts["stored"]["consent"] == 2
    assert rows["bad.jsonl"].status == "failed" and "line 3" in rows["bad.jsonl"].error

    # The same content dropped again (a resent file) is recognised and not stored twice.
    shutil.copy(crm / "done" / "a.jsonl", crm / "a-resent.jsonl")
    again = run_job(feeds_runtime, "consent.feeds", now=clock.now())
    assert (again.outcome, again.counts["duplicates"], again.counts["ingested"]) == ("success", 1, 0)
    assert count(db, ConsentRecordRow) == 3 and (crm / "done" / "a-resent.jsonl").exists()
    idle = run_job(feeds_runtime, "consent.feeds", now=clock.now())
    assert (idle.outcome, idle.counts["files"]) == ("success", 0)


def test_a_fixed_file_dropped_again_is_ingested(feeds_runtime, db, tmp_path):
    folder = tmp_path / "feeds" / "crm"
    folder.mkdir(parents=True)
    (folder / "x.jsonl").write_bytes(jsonl(consent("p1", "C1", channel="pigeon")))
    assert run_job(feeds_runtime, "consent.feeds", now=clock.now()).outcome == "failed"
    (folder / "x.jsonl").write_bytes(jsonl(profile("C1"), consent("p1", "C1")))
    fixed = run_job(feeds_runtime, "consent.feeds", now=clock.now())
    assert (fixed.outcome, fixed.counts["records"]) == ("success", 2)
    assert count(db, ConsentRecordRow) == 1


def test_pulls_job_pulls_each_configured_source_and_names_the_failures(db, events, tmp_path):
    ingest(db, profile("C1", emails=["ann@example.com"]))
    sources = {"crm": str(crm_db(tmp_path)), "billing": str(tmp_path / "missing.db")}
    settings = dataclasses.replace(db.settings, consent_pull_sources=sources)
    runtime = Runtime(settings=settings, db=db, emitter=Emitter(settings, local_sink=events.append))
    run = run_job(runtime, "consent.pulls", now=clock.now())
    assert run.outcome == "failed" and "billing" in run.message and "missing.db" in run.message
    assert (run.counts["sources"], run.counts["failed"], run.counts["stored"]) == (1, 1, 2)
    assert count(db, ConsentRecordRow) == 2
    none = Runtime(settings=db.settings, db=db)
    idle = run_job(none, "consent.pulls", now=clock.now())
    assert idle.outcome == "success" and "CONCORD_CONSENT_PULL_SOURCES" in idle.message


def _email_reason(db) -> str:
    with db.session() as session:
        query = sa.select(DecisionRow.reason).where(
            DecisionRow.channel == "email", DecisionRow.purpose == "marketing"
        )
        return session.execute(query).scalar_one()


def test_suppression_expiry_re_evaluates_decisions_made_under_a_bounce(job_runtime, db):
    bounce = {"type": "suppression", "source": "esp", "id": "h1", "list": "hard_bounce",
              "contact_point": "ann@example.com", "captured_at": T0.isoformat(),
              "expires_at": (T0 + timedelta(days=1)).isoformat()}  # fmt: skip
    with clock.frozen(T0):
        ingest(db, profile("C1", emails=["ann@example.com"]), consent("p1", "C1"), bounce)
    assert _email_reason(db) == "suppressed"
    early = run_job(job_runtime, "consent.suppression_expiry", now=T0 + timedelta(hours=12))
    assert early.counts == {"expired_entries": 0, "customers": 0, "decisions": 0}
    later = T0 + timedelta(days=2)
    run = run_job(job_runtime, "consent.suppression_expiry", now=later)
    assert run.outcome == "success" and (run.counts["expired_entries"], run.counts["customers"]) == (1, 1)
    assert _email_reason(db) == "explicit_opt_in"
    again = run_job(job_runtime, "consent.suppression_expiry", now=later)
    assert again.counts["customers"] == 0  # decisions made after the expiry are left alone


def _snapshot(days_ago: float) -> dict:
    return {"type": "dnc_registry_snapshot", "source": "registry", "registry": "us_national",
            "downloaded_at": (T0 - timedelta(days=days_ago)).isoformat(), "listed_numbers": ["4155550100"]}  # fmt: skip


def test_registry_age_check_warns_then_reports_stale(job_runtime, db):
    missing = run_job(job_runtime, "consent.dnc_registry_age", now=T0)
    assert missing.outcome == "failed" and missing.counts["missing"] == 1 and "no snapshot" in missing.message
    with clock.frozen(T0):
        ingest(db, _snapshot(20))
    fresh = run_job(job_runtime, "consent.dnc_registry_age", now=T0)
    assert fresh.outcome == "success" and fresh.counts["ok"] == 1
    warned = run_job(job_runtime, "consent.dnc_registry_age", now=T0 + timedelta(days=7))  # 27 days old
    assert warned.outcome == "failed" and warned.counts["warning"] == 1 and "27.0 days" in warned.message
    stale = run_job(job_runtime, "consent.dnc_registry_age", now=T0 + timedelta(days=12))
    assert stale.outcome == "failed" and stale.counts["stale"] == 1 and "registry_stale" in stale.message
    exposed = metrics.render()[0].decode()
    assert 'concord_dnc_registry_snapshot_age_seconds{registry="us_national"}' in exposed
