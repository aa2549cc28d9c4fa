"""The catalogue's scheduled jobs run the catalogue services as of the job's instant."""

import sqlite3
from datetime import UTC, datetime, timedelta

from catalog import ColumnSpec, find_dataset, record_update, register_dataset
from catalog.certification import certify
from catalog.freshness import set_expected_interval
from catalog.sources import register_source
from core.audit import SYSTEM, Actor
from jobs.runner import run_job

STEWARD = Actor(name="sam", role="steward", kind="user")
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_expiry_and_freshness_jobs_flag_datasets(job_runtime):
    with job_runtime.db.session(write=True) as s:
        ds = register_dataset(
            s, namespace="sqlite:///crm.db", name="contacts", columns=[ColumnSpec("id")], actor=SYSTEM
        )
        certify(
            s, dataset_id=ds.id, note="checked", expires_at=datetime(2099, 1, 1, tzinfo=UTC), actor=STEWARD
        )
        record_update(s, namespace="sqlite:///crm.db", name="contacts", at=T0)
        set_expected_interval(s, dataset_id=ds.id, seconds=3600, actor=STEWARD)
    expired = run_job(job_runtime, "catalog.certification_expiry", now=datetime(2099, 1, 2, tzinfo=UTC))
    stale = run_job(job_runtime, "catalog.freshness", now=T0 + timedelta(hours=2))
    signals = run_job(job_runtime, "catalog.search_signals", now=T0)
    assert (expired.outcome, expired.counts["expired"]) == ("success", 1)
    assert (stale.outcome, stale.counts["stale"]) == ("success", 1)
    assert signals.counts["documents"] == 1
    with job_runtime.db.session() as s:
        found = find_dataset(s, namespace="sqlite:///crm.db", name="contacts")
    assert found.stale and found.certification_expired


def test_scan_job_scans_due_sources_and_names_the_ones_that_fail(job_runtime, tmp_path):
    crm = tmp_path / "crm.db"
    with sqlite3.connect(crm) as conn:
        conn.execute("CREATE TABLE contacts (contact_id TEXT, email TEXT)")
        conn.execute("CREATE TABLE notes (note_id TEXT, body TEXT)")
    conn.close()
    with job_runtime.db.session(write=True) as s:
        register_source(
            s,
            name="crm",
            url=f"sqlite:///{crm}",
            scan_interval_seconds=3600,
            actor=SYSTEM,
        )
        register_source(
            s, name="gone", url=f"sqlite:///{tmp_path / 'gone.db'}", scan_interval_seconds=3600, actor=SYSTEM
        )
    run = run_job(job_runtime, "catalog.scan", now=datetime.now(UTC))
    assert run.outcome == "failed" and "gone" in run.message
    assert run.counts["scanned"] == 1 and run.counts["tables"] == 2
    again = run_job(job_runtime, "catalog.scan", now=datetime.now(UTC))  # crm is not due again yet
    assert again.counts["scanned"] == 0
