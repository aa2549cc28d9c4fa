"""Run one job: under its run lock, recorded in `job_run`, emitted as OpenLineage, counted in metrics."""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import ClassVar

import attr
from openlineage.client.facet_v2 import RunFacet, nominal_time_run

from core import clock, leases, metrics
from core.clock import iso
from core.leases import LeaseLock, lease_period, new_holder
from core.openlineage import PRODUCER
from core.runtime import Runtime
from jobs import history
from jobs.history import FAILED, SKIPPED, SUCCESS, JobRunInfo
from jobs.registry import JobFailed, JobResult, JobSpec, find

log = logging.getLogger(__name__)


@attr.define
class ConcordJobRunFacet(RunFacet):
    """Run facet with the job's outcome and counts, as recorded in `job_run`."""

    outcome: str = attr.field()
    counts: dict = attr.field(factory=dict)
    trigger: str = attr.field(default="")
    _additional_skip_redact: ClassVar[list[str]] = ["outcome", "counts", "trigger"]

    @staticmethod
    def _get_schema() -> str:
        return f"{PRODUCER}/blob/main/jobs/README.md#ConcordJobRunFacet"


def uuid7() -> str:
    """A time-ordered UUID (version 7), as OpenLineage recommends for run ids."""
    ms = time.time_ns() // 1_000_000
    value = (ms << 80) | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return str(uuid.UUID(int=value))


def lock_name(job: str) -> str:
    """The lease that lets one process at a time run `job`."""
    return f"job:{job}"


def run_job(
    runtime: Runtime,
    job: JobSpec | str,
    *,
    jobs: Iterable[JobSpec] | None = None,
    now: datetime | None = None,
    trigger: str = "manual",
) -> JobRunInfo:
    """Run `job` once unless another process is running it (then record and return a skipped run)."""
    spec = job if isinstance(job, JobSpec) else find(jobs or _registered(), job)
    ttl = spec.lease_seconds or runtime.settings.scheduler_lease_seconds
    # A holder per run: two threads of one process must not mistake each other's lease for their own.
    lock = LeaseLock(runtime.db, lock_name(spec.name), holder=new_holder("run"), ttl_seconds=ttl)
    if not lock.acquire():
        return _skipped(runtime, spec, trigger)
    heartbeat = _Heartbeat(lock)
    heartbeat.start()
    try:
        return _execute(runtime, spec, now or clock.now(), trigger)
    finally:
        heartbeat.stop()
        try:
            lock.release()
        except Exception:  # the lease then simply expires
            log.exception("could not release the run lock of %s", spec.name)


def _registered() -> list[JobSpec]:
    from jobs import JOBS

    return JOBS


def _skipped(runtime: Runtime, spec: JobSpec, trigger: str) -> JobRunInfo:
    other = leases.current(runtime.db, lock_name(spec.name))
    where = f"{other.host} (pid {other.pid}) since {iso(other.acquired_at)}" if other else "another process"
    info = history.record_skipped(
        runtime.db,
        run_id=uuid7(),
        job=spec.name,
        trigger=trigger,
        message=f"not run: {spec.name} is already running on {where}",
    )
    metrics.observe_job(spec.name, SKIPPED, 0.0)
    return info


def _execute(runtime: Runtime, spec: JobSpec, now: datetime, trigger: str) -> JobRunInfo:
    run_id, started = uuid7(), clock.now()
    interrupted = history.start_run(
        runtime.db, run_id=run_id, job=spec.name, trigger=trigger, started_at=started
    )
    if interrupted:
        log.warning("job %s: %d earlier run(s) had been interrupted", spec.name, interrupted)
    began = time.perf_counter()
    outcome, counts, message = FAILED, {}, ""
    try:
        with runtime.emitter.run(
            spec.name, run_id=run_id, inputs=spec.inputs, outputs=spec.outputs
        ) as handle:
            handle.run_facets["nominalTime"] = nominal_time_run.NominalTimeRunFacet(nominalStartTime=iso(now))
            try:
                result = spec.func(runtime, now=now)
                if not isinstance(result, JobResult):
                    raise TypeError(f"job {spec.name} returned {type(result).__name__}, expected JobResult")
            except JobFailed as exc:
                counts = exc.counts
                handle.run_facets["concord_job"] = ConcordJobRunFacet(FAILED, counts, trigger)
                raise
            outcome, counts, message = SUCCESS, dict(result.counts), result.summary
            handle.run_facets["concord_job"] = ConcordJobRunFacet(SUCCESS, counts, trigger)
    except JobFailed as exc:
        message = exc.message
        log.error("job %s failed: %s", spec.name, message)
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        log.exception("job %s failed", spec.name)
    seconds = time.perf_counter() - began
    info = history.finish_run(
        runtime.db, run_id=run_id, outcome=outcome, counts=counts, message=message, finished_at=clock.now()
    )
    metrics.observe_job(spec.name, outcome, seconds, finished_at=time.time())
    return info


class _Heartbeat:
    """Renews a run lock while the job runs, so a long job keeps it and a crashed one loses it."""

    def __init__(self, lock: LeaseLock):
        self.lock = lock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"concord-lease-{lock.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _beat(self) -> None:
        while not self._stop.wait(lease_period(self.lock.ttl)):
            try:
                if not self.lock.renew():
                    log.error("%s: run lock lost to another holder while the job was running", self.lock.name)
                    return
            except Exception as exc:  # a busy database: try again at the next beat
                log.warning("%s: could not renew the run lock: %s", self.lock.name, exc)
