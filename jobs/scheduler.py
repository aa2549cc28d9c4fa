"""The scheduler: APScheduler in every service process, firing jobs only in the one that holds the leader lock.

Each process runs an election thread: the leader renews its lock every third of the lease period,
the others try to acquire it at the same interval. The APScheduler instance stays paused while
the process does not lead, and every run still takes the job's own run lock (see `runner`), so a
job never runs twice at once even while leadership changes hands. A new leader first skips the
slots its predecessor already ran (from `job_run`), so no slot runs twice either.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from core import metrics
from core.leases import LEADER_LOCK, Lock, leader_lock, lease_period, new_holder
from core.runtime import Runtime
from jobs import history
from jobs.registry import Cron, Every, JobSpec, validate
from jobs.runner import run_job

log = logging.getLogger(__name__)


def aps_trigger(trigger: Every | Cron | BaseTrigger) -> BaseTrigger:
    """The APScheduler trigger for a job's schedule (APScheduler triggers pass through)."""
    if isinstance(trigger, Every):
        return IntervalTrigger(seconds=trigger.total_seconds, timezone=UTC)
    if isinstance(trigger, Cron):
        return CronTrigger.from_crontab(trigger.expression, timezone=UTC)
    if isinstance(trigger, BaseTrigger):
        return trigger
    raise TypeError(f"unsupported trigger {trigger!r}; use Every(...) or Cron('m h dom mon dow')")


class Scheduler:
    """One per service process; at most one of them, across all processes and hosts, fires jobs."""

    def __init__(
        self,
        runtime: Runtime,
        jobs: Iterable[JobSpec],
        *,
        lease_seconds: float | None = None,
        max_workers: int = 2,
    ):
        self.runtime = runtime
        self.jobs = list(jobs)
        validate(self.jobs)
        self.holder = new_holder("scheduler")
        self.lease_seconds = float(lease_seconds or runtime.settings.scheduler_lease_seconds)
        self.interval = lease_period(self.lease_seconds)
        self.lock: Lock = leader_lock(
            runtime.db, LEADER_LOCK, holder=self.holder, ttl_seconds=self.lease_seconds
        )
        self._aps = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(max_workers)},
            # After a pause (not leading) a missed run happens once if recent, else waits for the next slot.
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        self._leading = False
        self._running = 0
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = threading.Lock()

    @property
    def is_leader(self) -> bool:
        """Whether this process leads now (and its lock has not lapsed since the last renewal)."""
        return self._leading and self.lock.held

    def start(self) -> None:
        """Schedule every job (paused) and start electing; jobs fire only once this process leads."""
        for spec in self.jobs:
            self._aps.add_job(
                self._fire,
                aps_trigger(spec.trigger),
                args=[spec],
                id=spec.name,
                name=spec.name,
                replace_existing=True,
            )
        self._aps.start(paused=True)
        self._thread = threading.Thread(
            target=self._elect_loop, name="concord-scheduler-election", daemon=True
        )
        self._thread.start()
        log.info("scheduler %s started with %d jobs; electing a leader", self.holder, len(self.jobs))

    def _elect_loop(self) -> None:
        while not self._stopped.is_set():
            self.elect_once()
            self._stopped.wait(self.interval)

    def elect_once(self) -> bool:
        """Renew the lock if leading, else try to take it; resume or pause the jobs to match."""
        with self._state:
            if self._stopped.is_set():
                return False
            try:
                leading = self.lock.renew() if self._leading else self.lock.acquire()
            except Exception as exc:  # database busy or unreachable: keep what we know until it lapses
                log.warning("scheduler election failed: %s", exc)
                leading = self._leading and self.lock.held
            if leading and not self._leading:
                log.info("scheduler %s is now the leader", self.holder)
                self._skip_slots_already_run()
                self._aps.resume()
            elif self._leading and not leading:
                log.warning("scheduler %s lost the leadership; pausing jobs", self.holder)
                self._aps.pause()
            self._leading = leading
            metrics.set_scheduler_leader(leading)
            return leading

    def _skip_slots_already_run(self) -> None:
        """Move each job past the slots the previous leader already ran, before firing anything.

        While this process waited, its paused APScheduler kept each job's next slot; a slot another
        leader ran meanwhile (its run started at or after the slot) must not run again here.
        """
        try:
            last = history.last_runs(self.runtime.db, [spec.name for spec in self.jobs])
        except Exception as exc:  # the run locks still prevent overlaps; at worst a slot runs twice
            log.warning("could not read the job history before leading: %s", exc)
            return
        now = datetime.now(UTC)
        for job in self._aps.get_jobs():
            run = last.get(job.id)
            slot = job.next_run_time
            if run is None or slot is None or run.started_at < slot:
                continue
            while slot is not None and slot <= run.started_at:
                slot = job.trigger.get_next_fire_time(slot, now)
            if slot is None:
                self._aps.remove_job(job.id)  # a one-off job the previous leader ran
            else:
                self._aps.modify_job(job.id, next_run_time=slot)

    def _fire(self, spec: JobSpec) -> None:
        # Leadership may have lapsed between APScheduler's timer and this thread starting.
        if self._stopped.is_set() or not self.is_leader:
            return
        with self._state:
            self._running += 1
        try:
            info = run_job(self.runtime, spec, trigger="schedule")
            log.info("job %s: %s %s", spec.name, info.outcome, info.message)
        finally:
            with self._state:
                self._running -= 1

    @property
    def running(self) -> int:
        """Jobs this scheduler is running right now."""
        return self._running

    def stop(self, *, wait_seconds: float = 0.0) -> None:
        """Stop electing and firing and hand the leadership over; then wait up to `wait_seconds` for running jobs.

        A job still running when the wait ends keeps its run lock until the process exits; its run is
        then marked interrupted by the next run of that job.
        """
        with self._state:
            if self._stopped.is_set():
                return
            self._stopped.set()
            was_leading, self._leading = self._leading, False
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._aps.running:
            self._aps.shutdown(wait=False)
        if was_leading:
            try:
                self.lock.release()
            except Exception:  # the lease then expires by itself
                log.exception("could not release the scheduler leader lock")
        metrics.set_scheduler_leader(False)
        deadline = time.monotonic() + wait_seconds
        while self._running and time.monotonic() < deadline:
            time.sleep(0.2)
        log.info("scheduler %s stopped (%d jobs still running)", self.holder, self._running)
