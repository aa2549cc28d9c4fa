"""The exports retention job deletes expired export files through the scheduler's runner; records stay."""

import io
from datetime import timedelta
from pathlib import Path

from consent import export_job, exports
from consent.ingest import ingest_events
from core import clock
from core.audit import Actor
from jobs.runner import run_job

MARKETER = Actor(name="mia", role="marketing")
PROFILE = {
    "type": "profile",
    "source": "crm",
    "source_key": "C1",
    "jurisdiction": "DE",
    "emails": ["a@example.com"],
}


def test_retention_job_deletes_files_after_the_retention_period(job_runtime):
    db = job_runtime.db
    with db.session(write=True) as session:
        ingest_events(session, events=[PROFILE], actor=MARKETER)
    submitted = exports.submit_export(
        db, source=io.BytesIO(b"source_key\ncrm:C1\n"), filename="s.csv", channel="email",
        purpose="marketing", actor=MARKETER,
    )  # fmt: skip
    done = export_job.run_export(db, export_id=submitted.id, actor=MARKETER)
    early = run_job(job_runtime, "exports.retention", now=clock.now())
    assert (early.outcome, early.counts["exports"]) == ("success", 0)
    late = run_job(job_runtime, "exports.retention", now=done.retention_expires_at + timedelta(seconds=1))
    assert (late.outcome, late.counts["exports"]) == ("success", 1)
    kept = exports.get(db, done.id)
    assert kept.files_deleted_at is not None and kept.checksum == done.checksum
    with db.session() as session:
        assert not Path(exports.export_row(session, done.id).directory).exists()
