"""A scheduler in a process of its own: `python -m tests.reliability.scheduler_process URL DIR FIRE_AT`.

Runs two jobs: `test.once` at FIRE_AT (ISO instant) and `test.tick` every half second; the job runner
records every run (with this process's pid) in `job_run`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from apscheduler.triggers.date import DateTrigger

from core.clock import parse_instant
from core.db import Database
from core.runtime import Runtime
from core.settings import Settings
from jobs.registry import Every, JobResult
from jobs.scheduler import Scheduler
from tests.jobs.helpers import spec


def work(runtime, *, now):
    time.sleep(0.05)  # long enough for a second runner to collide with it if both fired
    return JobResult({"ran": 1})


def main() -> None:
    url, instance, fire_at = sys.argv[1], Path(sys.argv[2]), parse_instant(sys.argv[3])
    settings = Settings.from_env({}, instance_path=instance, database_url=url)
    jobs = [
        spec("test.once", work, DateTrigger(run_date=fire_at)),
        spec("test.tick", work, Every(seconds=0.5)),
    ]
    scheduler = Scheduler(Runtime(settings, Database(settings)), jobs, lease_seconds=2.0)
    scheduler.start()
    print("scheduler started", flush=True)
    deadline = time.monotonic() + 120  # never outlive a test that forgot it
    while time.monotonic() < deadline and sys.stdin.readline() != "stop\n":
        time.sleep(0.1)
    scheduler.stop(wait_seconds=10)


if __name__ == "__main__":
    main()
