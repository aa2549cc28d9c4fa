"""lineage.retention: raw events older than the configured age go; unset keeps everything."""

import dataclasses
from datetime import timedelta

import lineage
from core import clock
from core.audit import SYSTEM
from core.runtime import Runtime
from jobs.runner import run_job
from lineage import raw_store
from tests.lineage_support import run_event


def test_retention_purges_only_when_configured(db):
    with clock.frozen(clock.now() - timedelta(days=40)), db.session(write=True) as session:
        lineage.ingest_event(session, event=run_event("old_job"), actor=SYSTEM)
    with db.session(write=True) as session:
        lineage.ingest_event(session, event=run_event("new_job"), actor=SYSTEM)
    kept = run_job(Runtime(settings=db.settings, db=db), "lineage.retention", now=clock.now())
    assert kept.counts == {"deleted": 0} and "unset" in kept.message
    settings = dataclasses.replace(db.settings, lineage_retention_days=30)
    run = run_job(Runtime(settings=settings, db=db), "lineage.retention", now=clock.now())
    assert (run.outcome, run.counts) == ("success", {"deleted": 1})
    with db.session() as session:
        assert raw_store.count(session) == 1
