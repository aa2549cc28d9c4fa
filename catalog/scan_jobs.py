"""Scans started from a page and run in the background, with their progress recorded for any process to show.

`start_scan_job` records the request (audited); `execute_scan_job` runs `scanner.scan_source` to the end,
writing how many tables were read as it goes. A job whose heartbeat stops (its process died) reads as
interrupted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from catalog.models_ops import CatalogScanJob
from catalog.scanner import scan_source
from catalog.sources import get_source_row
from core import audit, clock
from core.audit import Actor
from core.db import Database
from core.errors import ConcordError, Conflict, NotFound
from core.ids import new_id
from core.openlineage import NULL_EMITTER, Emitter

RUNNING, DONE, FAILED, INTERRUPTED = "running", "done", "failed", "interrupted"
STALE_AFTER = timedelta(minutes=5)
HEARTBEAT = timedelta(seconds=1)  # progress is written at most this often


@dataclass(frozen=True)
class ScanJobInfo:
    """A background scan: where it stands, and what it found once done."""

    id: str
    source: str
    state: str
    tables_done: int
    tables_total: int | None
    message: str | None
    scan_id: str | None
    added: int
    changed: int
    dropped: int
    requested_by: str
    requested_at: datetime
    finished_at: datetime | None

    @property
    def percent(self) -> float:
        """How far the reading got, 0 to 100."""
        if self.state == DONE:
            return 100.0
        return 100.0 * self.tables_done / self.tables_total if self.tables_total else 0.0


def _info(row: CatalogScanJob, now: datetime) -> ScanJobInfo:
    state = row.state
    if state == RUNNING and now - row.heartbeat_at > STALE_AFTER:
        state = INTERRUPTED
    return ScanJobInfo(
        row.id, row.source_name, state, row.tables_done, row.tables_total, row.message, row.scan_id,
        row.added, row.changed, row.dropped, row.requested_by, row.requested_at, row.finished_at,
    )  # fmt: skip


def start_scan_job(session: Session, *, name: str, actor: Actor) -> ScanJobInfo:
    """Record a scan of source `name` to run in the background (Conflict if one is running already)."""
    source = get_source_row(session, name)
    now = clock.now()
    for row in session.exec(
        select(CatalogScanJob).where(CatalogScanJob.source_name == name, CatalogScanJob.state == RUNNING)
    ):
        if now - row.heartbeat_at <= STALE_AFTER:
            raise Conflict(f"{name} is being scanned already; follow that scan's progress", field="name")
    row = CatalogScanJob(
        id=new_id("sjob"), source_name=source.name, state=RUNNING, requested_by=actor.label,
        requested_at=now, heartbeat_at=now,
    )  # fmt: skip
    session.add(row)
    audit.record(session, actor, "source.scan.start", "source", source.id, {"job": row.id})
    session.commit()
    return _info(row, now)


def execute_scan_job(
    db: Database, *, job_id: str, actor: Actor, emitter: Emitter = NULL_EMITTER
) -> ScanJobInfo:
    """Run a started scan to the end, writing progress as it goes; a failure is recorded with its message."""
    with db.session() as session:
        row = session.get(CatalogScanJob, job_id)
        if row is None:
            raise NotFound(f"no scan job {job_id!r}", field="job_id")
        name = row.source_name
    last = [clock.now()]

    def progress(done: int, total: int) -> None:
        if clock.now() - last[0] >= HEARTBEAT or done == total:
            last[0] = clock.now()
            _update(db, job_id, tables_done=done, tables_total=total)

    try:
        with db.session(write=True) as session:
            result = scan_source(session, name=name, actor=actor, emitter=emitter, progress=progress)
    except ConcordError as exc:
        return _update(db, job_id, state=FAILED, message=exc.message, finished_at=clock.now())
    except Exception as exc:  # recorded so the page says it failed, then re-raised for the log
        _update(db, job_id, state=FAILED, message=f"unexpected error: {exc}", finished_at=clock.now())
        raise
    return _update(
        db, job_id, state=DONE, scan_id=result.scan_id, tables_done=result.tables, tables_total=result.tables,
        added=len(result.added), changed=len(result.changed), dropped=len(result.dropped),
        finished_at=result.finished_at,
    )  # fmt: skip


def _update(db: Database, job_id: str, **values) -> ScanJobInfo:
    with db.session(write=True) as session:
        row = session.get(CatalogScanJob, job_id)
        for name, value in {**values, "heartbeat_at": clock.now()}.items():
            setattr(row, name, value)
        session.add(row)
        session.commit()
        return _info(row, clock.now())


def get_scan_job(session: Session, *, job_id: str) -> ScanJobInfo:
    """One background scan with its progress or outcome."""
    row = session.get(CatalogScanJob, job_id)
    if row is None:
        raise NotFound(f"no scan job {job_id!r}; the sources page lists recent scans", field="job_id")
    return _info(row, clock.now())


def recent_scan_jobs(session: Session, *, limit: int = 20) -> list[ScanJobInfo]:
    """The latest background scans, newest first."""
    now = clock.now()
    rows = session.exec(select(CatalogScanJob).order_by(CatalogScanJob.requested_at.desc()).limit(limit))
    return [_info(r, now) for r in rows]
