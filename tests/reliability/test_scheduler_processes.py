"""Two scheduler processes started together: one leads, and each job firing runs exactly once."""

from __future__ import annotations

import itertools
import subprocess
import sys
from datetime import timedelta

from core import clock
from core.clock import iso
from jobs import history
from tests.reliability.conftest import ROOT
from tests.waiting import wait_until


def _runs(db, job: str) -> list:
    return history.recent_runs(db, job=job, limit=500)


def test_two_scheduler_processes_run_each_job_once(db, database_url, tmp_path):
    fire_at = iso(clock.now() + timedelta(seconds=4))
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.reliability.scheduler_process",
                database_url,
                str(tmp_path / f"i{n}"),
                fire_at,
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for n in range(2)
    ]
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "scheduler started"
        wait_until(
            lambda: any(r.outcome == "success" for r in _runs(db, "test.once")), timeout=60, what="test.once"
        )
        wait_until(lambda: len(_runs(db, "test.tick")) >= 8, timeout=60, what="several ticks")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.stdin.write("stop\n")
                proc.stdin.flush()
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
    once, ticks = _runs(db, "test.once"), _runs(db, "test.tick")
    assert [r.outcome for r in once] == ["success"]
    # Every tick ran in the same (leading) process, one after another, and none was skipped for
    # finding another runner holding its lock.
    assert len({r.pid for r in ticks}) == 1 and {r.outcome for r in ticks} == {"success"}
    spans = sorted((r.started_at, r.finished_at) for r in ticks)
    assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(spans))
