"""Job run history: a row per run, written at start and completed at the end, and its retention."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, delete, select, update

from core import clock
from core.db import Database
from jobs.models import JobRun

RUNNING, SUCCESS, FAILED, SKIPPED = "running", "success", "failed", "skipped"
OUTCOMES = (RUNNING, SUCCESS, FAILED, SKIPPED)
INTERRUPTED = "interrupted: the process running it stopped before it finished (its run lock expired)"


@dataclass(frozen=True)
class JobRunInfo:
    """One run as callers see it."""

    run_id: str
    job: str
    trigger: str
    outcome: str
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, int]
    message: str
    host: str
    pid: int

    @property
    def seconds(self) -> float | None:
        """How long the run took (None while running)."""
        return None if self.finished_at is None else (self.finished_at - self.started_at).total_seconds()


def _info(row: JobRun) -> JobRunInfo:
    return JobRunInfo(
        run_id=row.run_id,
        job=row.job,
        trigger=row.trigger,
        outcome=row.outcome,
        started_at=row.started_at,
        finished_at=row.finished_at,
        counts=dict(row.counts or {}),
        message=row.message,
        host=row.host,
        pid=row.pid,
    )


def start_run(db: Database, *, run_id: str, job: str, trigger: str, started_at: datetime) -> int:
    """Record a run as `running`; earlier runs of the job still `running` were interrupted (returns how many).

    Only the holder of the job's run lock calls this, so any other `running` row belongs to a dead process.
    """
    with db.session(write=True) as session:
        stale = session.exec(
            update(JobRun)
            .where(col(JobRun.job) == job, col(JobRun.outcome) == RUNNING)
            .values(outcome=FAILED, finished_at=started_at, message=INTERRUPTED)
        ).rowcount
        session.add(_row(run_id, job, trigger, RUNNING, started_at, None, {}, ""))
        session.commit()
    return stale


def finish_run(
    db: Database, *, run_id: str, outcome: str, counts: dict[str, int], message: str, finished_at: datetime
) -> JobRunInfo:
    """Complete a run with its outcome, counts and message."""
    with db.session(write=True) as session:
        row = session.get(JobRun, run_id)
        row.outcome, row.counts, row.message, row.finished_at = outcome, dict(counts), message, finished_at
        session.add(row)
        session.commit()
        return _info(row)


def record_skipped(db: Database, *, run_id: str, job: str, trigger: str, message: str) -> JobRunInfo:
    """Record a run that did not happen because another process was running the job."""
    at = clock.now()
    with db.session(write=True) as session:
        row = _row(run_id, job, trigger, SKIPPED, at, at, {}, message)
        session.add(row)
        session.commit()
        return _info(row)


def _row(run_id, job, trigger, outcome, started, finished, counts, message) -> JobRun:
    return JobRun(
        run_id=run_id,
        job=job,
        trigger=trigger,
        outcome=outcome,
        started_at=started,
        finished_at=finished,
        counts=counts,
        message=message,
        host=socket.gethostname(),
        pid=os.getpid(),
    )


def last_runs(db: Database, jobs: Iterable[str]) -> dict[str, JobRunInfo]:
    """The latest run (by start) of each named job that has run at all."""
    latest: dict[str, JobRunInfo] = {}
    with db.session() as session:
        for job in jobs:
            row = session.exec(
                select(JobRun).where(col(JobRun.job) == job).order_by(col(JobRun.started_at).desc()).limit(1)
            ).first()
            if row is not None:
                latest[job] = _info(row)
    return latest


def recent_runs(db: Database, *, job: str | None = None, limit: int = 20) -> list[JobRunInfo]:
    """Runs newest first, optionally of one job."""
    query = select(JobRun).order_by(col(JobRun.started_at).desc()).limit(limit)
    if job:
        query = query.where(col(JobRun.job) == job)
    with db.session() as session:
        return [_info(r) for r in session.exec(query).all()]


def get_run(db: Database, run_id: str) -> JobRunInfo | None:
    """One run by id."""
    with db.session() as session:
        row = session.get(JobRun, run_id)
        return _info(row) if row else None


def purge_before(session: Session, before: datetime) -> int:
    """Delete finished runs that started before `before` (the caller commits); returns how many."""
    return session.exec(
        delete(JobRun).where(col(JobRun.started_at) < before, col(JobRun.outcome) != RUNNING)
    ).rowcount
