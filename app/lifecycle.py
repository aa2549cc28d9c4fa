"""Start and stop what runs beside the web app: the single-leader scheduler and graceful shutdown."""

from __future__ import annotations

import atexit
import logging

from flask import Flask

from core.runtime import Runtime

log = logging.getLogger(__name__)

SCHEDULER_KEY = "concord_scheduler"


def start(app: Flask, runtime: Runtime) -> None:
    """Start the scheduler when CONCORD_SCHEDULER_ENABLED (the test settings turn it off)."""
    if not runtime.settings.scheduler_enabled:
        return
    from jobs import JOBS
    from jobs.scheduler import Scheduler

    # APScheduler narrates every firing at INFO; the runner logs each run's outcome instead.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = Scheduler(runtime, JOBS)
    scheduler.start()
    app.extensions[SCHEDULER_KEY] = scheduler
    atexit.register(shutdown, app)


def shutdown(app: Flask, *, wait_seconds: float = 0.0) -> None:
    """Begin a graceful shutdown: readiness turns false, the scheduler hands over its leadership and
    waits up to `wait_seconds` for the jobs it is running."""
    runtime: Runtime = app.extensions["concord"]
    runtime.stopping.set()
    scheduler = app.extensions.get(SCHEDULER_KEY)
    if scheduler is not None:
        scheduler.stop(wait_seconds=wait_seconds)
