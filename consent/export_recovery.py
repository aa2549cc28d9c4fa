"""Abandoning an export that published nothing: by its own run on failure, or by the job when its process stopped."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from consent.exports import COMPLIANT, EXCLUSIONS, FAILED, QUEUED, RUNNING, STALE_AFTER
from consent.models_exports import ExportMemberRow, ExportRow
from core import audit, clock
from core.audit import Actor
from core.clock import iso


def abandon(session: Session, row: ExportRow, *, message: str, now: datetime) -> None:
    """Mark the export failed, removing its unpublished `.part` files and its members (not committed)."""
    folder = Path(row.directory)
    for name in (COMPLIANT, EXCLUSIONS):
        (folder / f"{name}.part").unlink(missing_ok=True)
    # An export that published nothing contacted nobody, so its members go too.
    session.execute(sa.delete(ExportMemberRow.__table__).where(ExportMemberRow.export_id == row.id))
    row.state, row.finished_at, row.message = FAILED, now, message[:2000]
    session.add(row)


def fail_interrupted(session: Session, *, actor: Actor, now: datetime | None = None) -> list[str]:
    """Mark exports silent for longer than STALE_AFTER as failed, removing their partial files; audited."""
    now = now or clock.now()
    query = sa.select(ExportRow).where(
        ExportRow.state.in_((QUEUED, RUNNING)), ExportRow.heartbeat_at < now - STALE_AFTER
    )
    failed = []
    for row in session.execute(query).scalars():
        message = (
            f"interrupted: the process running this export stopped (last heartbeat {iso(row.heartbeat_at)}, "
            f"{row.rows_done:,} of {row.rows_total:,} rows done); nothing was published - submit the segment again"
        )
        abandon(session, row, message=message, now=now)
        audit.record(
            session,
            actor,
            "consent.export.interrupted",
            "consent_export",
            row.id,
            {"rows_done": row.rows_done},
        )
        failed.append(row.id)
    session.commit()
    return failed
