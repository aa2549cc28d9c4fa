"""A scheduler in a process of its own, for tests that kill it: `python -m tests.jobs.leader_process URL DIR LEASE`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from core.db import Database
from core.runtime import Runtime
from core.settings import Settings
from jobs.registry import JobResult
from jobs.scheduler import Scheduler
from tests.jobs.helpers import spec


def idle(runtime, *, now):
    return JobResult()


def main() -> None:
    url, instance, lease = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
    settings = Settings.from_env({}, instance_path=instance, database_url=url)
    scheduler = Scheduler(
        Runtime(settings, Database(settings)), [spec("test.idle", idle)], lease_seconds=lease
    )
    scheduler.start()
    print("scheduler started", flush=True)
    deadline = time.monotonic() + 120  # never outlive a test that forgot it
    while time.monotonic() < deadline:
        time.sleep(0.2)


if __name__ == "__main__":
    main()
