"""`concord job run|list|history` through the CLI runner."""

import os
import socket

import sqlalchemy as sa

from core import leases
from jobs import history
from jobs.runner import lock_name
from jobs.scheduler import Scheduler
from tests.waiting import wait_until


def test_job_run_audit_verify(cli_runner, db, token):
    token("admin")
    result = cli_runner("job", "run", "audit.verify")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("success")
    assert "entries_checked: 1" in result.output
    (run,) = history.recent_runs(db, job="audit.verify")
    assert run.trigger == "cli" and run.run_id in result.output


def test_job_run_exits_1_when_the_chain_is_broken(cli_runner, db, token):
    token("admin")
    token("analyst")
    with db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_log WHERE seq = 1"))
    result = cli_runner("job", "run", "audit.verify")
    assert result.exit_code == 1
    assert "failed" in result.output and "audit chain broken" in result.output


def test_job_run_exits_3_when_running_elsewhere(cli_runner, db):
    assert leases.LeaseLock(db, lock_name("audit.verify"), holder="other", ttl_seconds=60).acquire()
    result = cli_runner("job", "run", "audit.verify")
    assert result.exit_code == 3
    assert "skipped" in result.output and "already running" in result.output


def test_unknown_job_names_the_known_ones(cli_runner):
    result = cli_runner("job", "run", "consent.nope")
    assert result.exit_code == 1
    assert "no job 'consent.nope'" in result.output and "audit.verify" in result.output


def test_job_run_at_an_instant(cli_runner, db):
    assert cli_runner("job", "run", "jobs.history_retention", "--at", "2030-01-01T00:00:00Z").exit_code == 0
    bad = cli_runner("job", "run", "jobs.history_retention", "--at", "yesterday")
    assert bad.exit_code == 1 and "--at" in bad.output


def test_job_list_shows_schedules_last_outcome_and_running_jobs(cli_runner, db):
    cli_runner("job", "run", "audit.verify")
    assert leases.LeaseLock(db, lock_name("jobs.history_retention"), holder="h", ttl_seconds=60).acquire()
    out = cli_runner("job", "list").output
    assert "cron 17 3 * * * (UTC)" in out
    audit_part = out.split("audit.verify", 1)[1].split("jobs.history_retention", 1)[0]
    assert "last run: success" in audit_part
    retention_part = out.split("jobs.history_retention", 1)[1]
    assert "running now on" in retention_part and "last run: never" in retention_part


def test_job_history_lists_runs_newest_first(cli_runner):
    cli_runner("job", "run", "audit.verify")
    cli_runner("job", "run", "jobs.history_retention")
    lines = cli_runner("job", "history").output.strip().splitlines()
    assert lines[0].startswith("jobs.history_retention") and lines[1].startswith("audit.verify")
    only = cli_runner("job", "history", "audit.verify").output.strip().splitlines()
    assert len(only) == 1
    assert cli_runner("job", "history", "nope.nope").exit_code == 1


def test_job_list_names_the_scheduler_leader(cli_runner, runtime):
    assert "scheduler leader: none" in cli_runner("job", "list").output
    scheduler = Scheduler(runtime, [], lease_seconds=30)
    scheduler.start()
    try:
        wait_until(lambda: scheduler.is_leader, what="the scheduler to lead")
        first = cli_runner("job", "list").output.splitlines()[0]
    finally:
        scheduler.stop()
    assert socket.gethostname() in first and str(os.getpid()) in first
    assert "scheduler leader: none" in cli_runner("job", "list").output
