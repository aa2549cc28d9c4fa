"""The single-leader scheduler: one leader among many, jobs fire once, crashed leaders are replaced."""

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING
from apscheduler.triggers.date import DateTrigger

from core import clock, leases
from core.leases import LEADER_LOCK, AdvisoryLock
from core.runtime import Runtime
from jobs import history
from jobs.history import SUCCESS
from jobs.registry import Cron, Every, JobResult
from jobs.scheduler import Scheduler, aps_trigger
from tests.jobs.helpers import Gate, spec
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]


class Calls:
    """A job that records which scheduler's runtime ran it."""

    def __init__(self):
        self.by = []
        self._lock = threading.Lock()

    def __call__(self, runtime, *, now):
        with self._lock:
            self.by.append(id(runtime))
        return JobResult({"calls": 1})


def _scheduler(db, jobs, lease: float = 1.0) -> Scheduler:
    # A runtime per scheduler, as separate processes would have.
    return Scheduler(Runtime(settings=db.settings, db=db), jobs, lease_seconds=lease)


def _runs(db, job: str) -> list:
    return [r for r in history.recent_runs(db, job=job, limit=100) if r.outcome == SUCCESS]


def test_two_schedulers_started_together_run_each_job_once(db):
    once, ticks = Calls(), Calls()
    fire_at = clock.now() + timedelta(seconds=1)

    def jobs():
        return [
            spec("test.once", once, DateTrigger(run_date=fire_at)),
            spec("test.tick", ticks, Every(seconds=0.3)),
        ]

    a, b = _scheduler(db, jobs()), _scheduler(db, jobs())
    starters = [threading.Thread(target=s.start) for s in (a, b)]
    for t in starters:
        t.start()
    for t in starters:
        t.join(10)
    try:
        wait_until(lambda: _runs(db, "test.once"), what="the one-off job to run")
        wait_until(lambda: len(ticks.by) >= 4, what="several ticks")
        assert [a.is_leader, b.is_leader].count(True) == 1
        leader = a if a.is_leader else b
        assert set(ticks.by) == {id(leader.runtime)}, "only the leader fires jobs"
    finally:
        for s in sorted((a, b), key=lambda s: s.is_leader):
            s.stop()
    assert len(once.by) == 1
    assert len(_runs(db, "test.once")) == 1


def test_the_leader_fires_scheduled_jobs_and_records_them(db):
    ticks = Calls()
    s = _scheduler(db, [spec("test.tick", ticks, Every(seconds=0.2))])
    s.start()
    try:
        wait_until(lambda: len(_runs(db, "test.tick")) >= 2, what="two scheduled runs")
    finally:
        s.stop()
    assert all(r.trigger == "schedule" for r in _runs(db, "test.tick"))


def test_stopping_the_leader_hands_over_at_once(db):
    a, b = _scheduler(db, [], lease=30), _scheduler(db, [], lease=30)
    a.start()
    wait_until(lambda: a.is_leader, what="a to lead")
    b.start()
    assert not b.elect_once()
    a.stop()
    assert b.elect_once() and b.is_leader
    b.stop()
    assert not b.is_leader


def test_a_leader_that_loses_its_lock_pauses_its_jobs(db, backend):
    a = _scheduler(db, [spec("test.tick", Calls(), Every(hours=1))], lease=30)
    a.start()
    thief = None
    try:
        wait_until(lambda: a.is_leader, what="a to lead")
        assert a._aps.state == STATE_RUNNING
        if backend == "postgresql":
            with db.engine.connect() as conn:
                conn.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = :o"
                    ),
                    {"o": leases.advisory_key(conn, LEADER_LOCK)[1]},
                )
            thief = AdvisoryLock(db, LEADER_LOCK, holder="thief")
            wait_until(thief.acquire, what="the thief to take the lock")
        else:
            with db.engine.begin() as conn:
                conn.execute(sa.text("UPDATE lease SET holder = 'thief' WHERE name = :n"), {"n": LEADER_LOCK})
        assert not a.elect_once()
        assert not a.is_leader and a._aps.state == STATE_PAUSED
        assert not a.elect_once(), "the lock is someone else's now"
    finally:
        a.stop()
        if thief is not None:
            thief.release()


def _holds_leader_lock(db) -> bool:
    if db.dialect == "sqlite":
        return leases.current(db, LEADER_LOCK) is not None
    with db.engine.connect() as conn:
        key = leases.advisory_key(conn, LEADER_LOCK)
        return bool(
            conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = :o"
                ),
                {"o": key[1]},
            ).scalar()
        )


@pytest.mark.slow
def test_a_killed_leader_is_replaced(db, database_url, tmp_path):
    lease = 1.5
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.jobs.leader_process", database_url, str(tmp_path), str(lease)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    survivor = _scheduler(db, [], lease=lease)
    try:
        assert proc.stdout.readline().strip() == b"scheduler started"
        wait_until(lambda: _holds_leader_lock(db), what="the other process to lead")
        survivor.start()
        assert not survivor.elect_once()
        proc.send_signal(signal.SIGKILL)  # a crash: no release, no goodbye
        proc.wait(10)
        wait_until(survivor.elect_once, what="the survivor to take over")
        assert survivor.is_leader
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        survivor.stop()


def test_triggers_convert_and_describe_themselves():
    assert Every(minutes=5).describe() == "every 5m"
    assert Every(seconds=90).describe() == "every 90s"
    assert Cron("17 3 * * *").describe() == "cron 17 3 * * * (UTC)"
    assert aps_trigger(Every(hours=2)).interval == timedelta(hours=2)
    with pytest.raises(ValueError):
        aps_trigger(Cron("not a cron"))
    with pytest.raises(TypeError):
        aps_trigger("daily")


def test_stop_waits_for_a_running_job_when_asked(db):
    gate = Gate()
    s = _scheduler(db, [spec("test.gate", gate, Every(seconds=0.2))], lease=30)
    s.start()
    assert gate.entered.wait(30)
    stopper = threading.Thread(target=lambda: s.stop(wait_seconds=60))
    stopper.start()
    assert s.running == 1
    gate.open.set()
    stopper.join(60)
    assert not stopper.is_alive() and s.running == 0
    assert [r.outcome for r in history.recent_runs(db, job="test.gate")] == [SUCCESS]


def test_stop_without_waiting_leaves_the_job_to_finish_alone(db):
    gate = Gate()
    s = _scheduler(db, [spec("test.gate", gate, Every(seconds=0.2))], lease=30)
    s.start()
    assert gate.entered.wait(30)
    s.stop()
    assert s.running == 1 and not s.is_leader
    gate.open.set()
    wait_until(lambda: s.running == 0, what="the job to finish")


def test_a_new_leader_skips_the_slots_its_predecessor_ran(db):
    once = Calls()
    fire_at = clock.now() + timedelta(seconds=1)

    def jobs():
        return [spec("test.once", once, DateTrigger(run_date=fire_at))]

    a = _scheduler(db, jobs())
    a.start()
    b = None
    try:
        wait_until(lambda: a.is_leader, what="a to lead")
        b = _scheduler(db, jobs())
        b.start()
        wait_until(lambda: _runs(db, "test.once"), what="the one-off job to run")
        assert not b.is_leader and b._aps.get_job("test.once") is not None  # b's paused copy kept the slot
        a.stop()  # hands over
        wait_until(lambda: b.is_leader, what="b to take over")
        assert b._aps.get_job("test.once") is None, "the slot a ran was dropped, not fired again"
    finally:
        a.stop()
        if b is not None:
            b.stop()
    assert len(once.by) == 1 and len(_runs(db, "test.once")) == 1
