"""Running one job: history, outcomes, OpenLineage events, the per-job lock and interrupted runs."""

import threading
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from core import clock, leases, metrics
from core.audit import SYSTEM
from core.tokens import create_token
from jobs import JOBS, history
from jobs.history import FAILED, RUNNING, SKIPPED, SUCCESS
from jobs.registry import JobFailed, JobResult
from jobs.runner import lock_name, run_job, uuid7
from tests.jobs.helpers import Gate, spec


def _tokens(db, n: int) -> None:
    with db.session(write=True) as session:
        for i in range(n):
            create_token(session, role="analyst", name=f"t{i}", actor=SYSTEM)


def test_audit_verify_succeeds_records_the_run_and_emits_lineage(db, job_runtime, events):
    _tokens(db, 3)
    info = run_job(job_runtime, "audit.verify", trigger="cli")
    assert info.outcome == SUCCESS
    assert info.counts == {"entries_checked": 3, "head_seq": 3, "problems": 0}
    assert "intact" in info.message
    stored = history.get_run(db, info.run_id)
    assert stored.outcome == SUCCESS and stored.finished_at >= stored.started_at and stored.trigger == "cli"
    job_runtime.emitter.flush()
    states = [(e["eventType"], e["run"]["runId"]) for e in events.of("audit.verify")]
    assert states == [("START", info.run_id), ("COMPLETE", info.run_id)]
    facet = events.of("audit.verify")[-1]["run"]["facets"]["concord_job"]
    assert facet["outcome"] == SUCCESS and facet["counts"]["entries_checked"] == 3
    assert leases.current(db, lock_name("audit.verify")) is None, "the run lock is released"


def test_broken_audit_chain_is_a_failed_run_naming_the_problems(db, job_runtime, events):
    _tokens(db, 3)
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2"))
    info = run_job(job_runtime, "audit.verify")
    assert info.outcome == FAILED
    assert "entry 2: content changed" in info.message
    assert info.counts["problems"] >= 1
    job_runtime.emitter.flush()
    fail = events.of("audit.verify")[-1]
    assert fail["eventType"] == "FAIL"
    assert "entry 2" in fail["run"]["facets"]["errorMessage"]["message"]


def test_an_exception_fails_the_run_with_its_message(job_runtime):
    def broken(runtime, *, now):
        raise RuntimeError("source unreachable")

    info = run_job(job_runtime, spec("test.broken", broken))
    assert info.outcome == FAILED and info.message == "RuntimeError: source unreachable"


def test_a_task_must_return_a_job_result(job_runtime):
    info = run_job(job_runtime, spec("test.sloppy", lambda runtime, *, now: {"n": 1}))
    assert info.outcome == FAILED and "expected JobResult" in info.message


def test_job_failed_keeps_its_counts(job_runtime):
    def partial(runtime, *, now):
        raise JobFailed("2 feeds unreadable", counts={"read": 5, "unreadable": 2})

    info = run_job(job_runtime, spec("test.partial", partial))
    assert (info.outcome, info.counts, info.message) == (
        FAILED,
        {"read": 5, "unreadable": 2},
        "2 feeds unreadable",
    )


def test_the_task_gets_the_instant_to_run_as(job_runtime):
    seen = []

    def remember(runtime, *, now):
        seen.append(now)
        return JobResult()

    at = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    run_job(job_runtime, spec("test.at", remember), now=at)
    assert seen == [at]


def test_a_job_held_elsewhere_is_skipped_and_not_emitted(db, job_runtime, events):
    other = leases.LeaseLock(db, lock_name("audit.verify"), holder="elsewhere", ttl_seconds=60)
    assert other.acquire()
    info = run_job(job_runtime, "audit.verify")
    assert info.outcome == SKIPPED
    assert "already running on" in info.message
    job_runtime.emitter.flush()
    assert events.of("audit.verify") == []
    assert leases.current(db, lock_name("audit.verify")).holder == "elsewhere"


def test_two_runs_at_once_one_runs_and_the_other_is_skipped(db, job_runtime):
    gate = Gate()
    job = spec("test.gate", gate)
    first = []
    worker = threading.Thread(target=lambda: first.append(run_job(job_runtime, job)))
    worker.start()
    try:
        assert gate.entered.wait(30)
        second = run_job(job_runtime, job)
    finally:
        gate.open.set()
        worker.join(30)
    assert second.outcome == SKIPPED
    assert first[0].outcome == SUCCESS
    assert gate.calls == 1


def test_a_run_left_running_by_a_dead_process_is_marked_interrupted(db, job_runtime):
    stale = uuid7()
    history.start_run(db, run_id=stale, job="audit.verify", trigger="schedule", started_at=clock.now())
    assert history.get_run(db, stale).outcome == RUNNING
    run_job(job_runtime, "audit.verify")
    dead = history.get_run(db, stale)
    assert dead.outcome == FAILED and dead.message.startswith("interrupted")


def test_history_retention_deletes_old_finished_runs_and_audits_it(db, job_runtime):
    old = datetime.now(UTC) - timedelta(days=400)
    with clock.frozen(old):
        run_job(job_runtime, "audit.verify")
    recent = run_job(job_runtime, "audit.verify")
    purge = run_job(job_runtime, "jobs.history_retention")
    assert purge.outcome == SUCCESS and purge.counts == {"deleted": 1}
    remaining = {r.run_id for r in history.recent_runs(db, limit=100)}
    assert recent.run_id in remaining and purge.run_id in remaining and len(remaining) == 2
    with db.session() as session:
        actions = session.exec(sa.text("SELECT action FROM audit_log ORDER BY seq")).all()
    assert ("job_run.purge",) in [tuple(a) for a in actions]


def test_job_outcomes_are_counted_in_metrics(job_runtime):
    run_job(job_runtime, "audit.verify")
    text = metrics.render()[0].decode()
    assert 'concord_job_runs_total{job="audit.verify",outcome="success"}' in text
    assert 'concord_job_duration_seconds_count{job="audit.verify"}' in text


def test_uuid7_run_ids_sort_by_time():
    ids = [uuid7() for _ in range(50)]
    assert all(i[14] == "7" for i in ids)
    assert len(set(ids)) == 50


def test_every_registered_job_has_a_valid_schedule():
    from jobs.registry import validate
    from jobs.scheduler import aps_trigger

    validate(JOBS)
    for job in JOBS:
        assert aps_trigger(job.trigger) is not None
        assert job.description
